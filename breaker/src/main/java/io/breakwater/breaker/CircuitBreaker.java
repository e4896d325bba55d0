package io.breakwater.breaker;

import io.breakwater.breaker.internal.CallCounters;
import io.breakwater.breaker.internal.Failures;
import io.breakwater.breaker.internal.Outcome;
import io.breakwater.breaker.internal.OutcomeWindow;
import io.breakwater.breaker.internal.Phase;
import io.breakwater.breaker.internal.TransitionDispatcher;
import io.breakwater.breaker.internal.WindowTotals;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A circuit breaker: CLOSED, OPEN, HALF_OPEN, plus FORCED_OPEN and DISABLED set by hand.
 *
 * <p>Use it around a call with {@link #call(Callable)} or {@link #executeAsync(Supplier)}, or by hand:
 * {@link #canExecute()} acquires a permit, then {@link #recordSuccess()} or {@link #recordFailure(Throwable)}
 * reports the outcome. Thread-safe and lock-free: the permission check in CLOSED is one volatile read;
 * outcomes go to atomic counters; each transition is one compare-and-set, delivered once to listeners,
 * in order, after the swap.
 *
 * <p>The rules: CLOSED opens after {@code failureThreshold} consecutive failures, or when the window holds
 * at least {@code minimumCalls} calls and its failure rate or slow-call rate reaches its threshold. OPEN
 * admits trial calls once the reset timeout has passed (checked on the next call, or by
 * {@link #checkTimeouts()}); each re-open may multiply the wait (backoff, with jitter). HALF_OPEN admits
 * {@code halfOpenMaxCalls} trial calls: {@code successThreshold} successes close it; a failure, a slow
 * trial (when a slow-call rate is set) or trials left unanswered for {@code halfOpenMaxWait} re-open it.
 */
public final class CircuitBreaker {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);

    private final CircuitBreakerConfig config;
    private final String name;
    private final Clock clock;
    private final boolean timeWindow;
    private final long slowCallNanos;
    private final boolean slowTrials;
    // The wrappers read the clock around a call only when a slow-call duration needs it: two clock reads
    // cost more than the rest of a call through the breaker.
    private final boolean timeCalls;
    private final long halfOpenMaxWaitNanos;
    // The current phase. Only ever replaced by compareAndSet from the phase being left.
    private final AtomicReference<Phase> phase;
    private final TransitionDispatcher dispatcher;
    private final CallCounters counters = new CallCounters();
    // The last recorded failure; replaced whole, never mutated.
    private volatile LastFailure lastFailure;
    // Loads and saves the state through the config's store; null without one.
    private final StateKeeper keeper;

    private record LastFailure(long atMillis, String details) {
    }

    private CircuitBreaker(CircuitBreakerConfig config) {
        this.config = config;
        this.name = config.name();
        this.clock = config.clock();
        this.timeWindow = config.windowDuration().isPresent();
        this.slowCallNanos = config.slowCallDuration().map(Duration::toNanos).orElse(Long.MAX_VALUE);
        this.slowTrials = config.slowCallRateThreshold().isPresent();
        this.timeCalls = config.slowCallDuration().isPresent();
        this.halfOpenMaxWaitNanos = config.halfOpenMaxWait().toNanos();
        this.keeper = config.stateStore().map(store -> new StateKeeper(store, config)).orElse(null);
        this.phase = new AtomicReference<>(keeper == null ? closed(0) : keeper.restore(this::closed));
        this.dispatcher = new TransitionDispatcher(1);
        if (keeper != null) {
            dispatcher.add(t -> keeper.save(t, phase.get()));
        }
    }

    /** Failures of the state store, to load or to save, since the breaker was created. */
    public long storeErrors() {
        return keeper == null ? 0 : keeper.errors();
    }

    /** A new breaker with {@code config}. Most code should use a {@link CircuitBreakerRegistry}. */
    public static CircuitBreaker of(CircuitBreakerConfig config) {
        return new CircuitBreaker(Objects.requireNonNull(config, "config"));
    }

    /** A new breaker called {@code name} with the default config. */
    public static CircuitBreaker ofDefaults(String name) {
        return of(CircuitBreakerConfig.ofDefaults(name));
    }

    public String name() {
        return name;
    }

    public CircuitBreakerConfig config() {
        return config;
    }

    /** The current state, without applying any pending timeout (see {@link #checkTimeouts()}). */
    public CircuitBreakerState state() {
        return phase.get().state;
    }

    // ---------------------------------------------------------------- permission

    /**
     * Asks to make one call. True means go ahead, and then report the outcome with
     * {@code recordSuccess}/{@code recordFailure} (in HALF_OPEN this took one of the trial permits).
     * False means the call is refused; it is counted as rejected.
     */
    public boolean canExecute() {
        Phase p = phase.get();
        if (p.state == CircuitBreakerState.CLOSED) {
            return true;
        }
        return acquire(p);
    }

    private boolean acquire(Phase p) {
        for (;;) {
            switch (p.state) {
                case CLOSED:
                case DISABLED:
                    return true;
                case OPEN: {
                    long now = clock.nanoTime();
                    Phase.Open open = (Phase.Open) p;
                    if (now - open.retryAtNanos < 0) {
                        counters.rejected.increment();
                        return false;
                    }
                    toHalfOpen(open, now);
                    p = phase.get();
                    continue;
                }
                case HALF_OPEN: {
                    long now = clock.nanoTime();
                    Phase.HalfOpen half = (Phase.HalfOpen) p;
                    if (half.tryAcquire(now)) {
                        return true;
                    }
                    if (half.trialsExpired(now, halfOpenMaxWaitNanos)) {
                        expireTrials(half, now);
                        p = phase.get();
                        continue;
                    }
                    counters.rejected.increment();
                    return false;
                }
                case FORCED_OPEN:
                default:
                    counters.rejected.increment();
                    return false;
            }
        }
    }

    /**
     * Gives back a permit from {@link #canExecute()} whose call was never made. In CLOSED this does
     * nothing; in HALF_OPEN the trial permit becomes free again.
     */
    public void releasePermit() {
        if (phase.get() instanceof Phase.HalfOpen half) {
            half.release();
        }
    }

    /**
     * Applies the time-based transitions now rather than on the next call: OPEN whose reset timeout
     * passed becomes HALF_OPEN; HALF_OPEN whose trials went unanswered re-opens. For timers that keep
     * status reports fresh when no calls arrive.
     */
    public void checkTimeouts() {
        Phase p = phase.get();
        long now = clock.nanoTime();
        if (p instanceof Phase.Open open && now - open.retryAtNanos >= 0) {
            toHalfOpen(open, now);
        } else if (p instanceof Phase.HalfOpen half && half.trialsExpired(now, halfOpenMaxWaitNanos)) {
            expireTrials(half, now);
        }
    }

    private void expireTrials(Phase.HalfOpen half, long now) {
        reopen(half, now, half.issued() - half.successes.get() + " trial call(s) unanswered after "
                + human(config.halfOpenMaxWait()));
    }

    // ---------------------------------------------------------------- outcomes

    /** Records a success of unknown duration. */
    public void recordSuccess() {
        recordSuccess(-1L);
    }

    /** Records a success that took {@code durationNanos} (negative: unknown, never slow). */
    public void recordSuccess(long durationNanos) {
        Phase p = phase.get();
        if (p.state == CircuitBreakerState.DISABLED) {
            return;
        }
        boolean slow = durationNanos >= slowCallNanos;
        counters.successful.increment();
        if (durationNanos > 0) {
            counters.successfulNanos.add(durationNanos);
        }
        if (slow) {
            counters.slow.increment();
        }
        if (p instanceof Phase.Closed closed) {
            if (closed.consecutiveFailures.get() != 0) {
                closed.consecutiveFailures.set(0);
            }
            long now = timeWindow || slow ? clock.nanoTime() : 0L;
            closed.window.record(slow ? Outcome.SLOW_SUCCESS : Outcome.SUCCESS, now);
            if (slow) {
                checkRates(closed, now);
            }
        } else if (p instanceof Phase.HalfOpen half) {
            if (slow && slowTrials) {
                reopen(half, clock.nanoTime(), "trial call was slow (" + human(Duration.ofNanos(durationNanos)) + ")");
            } else if (half.successes.incrementAndGet() >= config.successThreshold()) {
                toClosed(half, half.successes.get() + " trial call(s) succeeded");
            }
        }
    }

    /** Records a failure of unknown duration, if {@code failure} counts (see the config's predicates). */
    public void recordFailure(Throwable failure) {
        recordFailure(failure, -1L);
    }

    /**
     * Records a failed call that took {@code durationNanos} (negative: unknown). A throwable that does not
     * count as a failure is counted as ignored and changes nothing; in HALF_OPEN its permit is given back.
     */
    public void recordFailure(Throwable failure, long durationNanos) {
        Objects.requireNonNull(failure, "failure");
        if (!config.isRecordedFailure(failure)) {
            recordIgnored();
            return;
        }
        failed(Failures.describe(failure), durationNanos);
    }

    /**
     * Records a call whose failure does not count (a caller's error, classified elsewhere): it changes no
     * window and no state, is counted as ignored, and in HALF_OPEN gives its trial permit back.
     */
    public void recordIgnored() {
        if (phase.get().state != CircuitBreakerState.DISABLED) {
            counters.ignored.increment();
            releasePermit();
        }
    }

    /** Records a failure described by {@code details} (always counts). */
    public void recordFailure(String details) {
        failed(Failures.sanitize(Objects.requireNonNull(details, "details")), -1L);
    }

    private void failed(String details, long durationNanos) {
        Phase p = phase.get();
        if (p.state == CircuitBreakerState.DISABLED) {
            return;
        }
        boolean slow = durationNanos >= slowCallNanos;
        counters.failed.increment();
        if (durationNanos > 0) {
            counters.failedNanos.add(durationNanos);
        }
        if (slow) {
            counters.slow.increment();
        }
        lastFailure = new LastFailure(clock.currentTimeMillis(), details);
        long now = clock.nanoTime();
        if (p instanceof Phase.Closed closed) {
            int consecutive = closed.consecutiveFailures.incrementAndGet();
            closed.window.record(slow ? Outcome.SLOW_FAILURE : Outcome.FAILURE, now);
            if (consecutive >= config.failureThreshold()) {
                trip(closed, now, consecutive + " consecutive failure(s)", closed.window.totals(now));
            } else {
                checkRates(closed, now);
            }
        } else if (p instanceof Phase.HalfOpen half) {
            reopen(half, now, "trial call failed: " + details);
        }
    }

    private void checkRates(Phase.Closed closed, long now) {
        if (!config.hasWindow()) {
            return;
        }
        WindowTotals totals = closed.window.totals(now);
        if (totals.calls() < config.minimumCalls()) {
            return;
        }
        double failureLimit = config.failureRateThreshold().orElse(Double.NaN);
        if (totals.failureRate() >= failureLimit) {
            trip(closed, now, "failure rate " + percent(totals.failureRate()) + " >= " + percent(failureLimit)
                    + " over the " + closed.window.describe() + " (" + totals.failures() + " of " + totals.calls() + ")",
                    totals);
            return;
        }
        double slowLimit = config.slowCallRateThreshold().orElse(Double.NaN);
        if (totals.slowCallRate() >= slowLimit) {
            trip(closed, now, "slow-call rate " + percent(totals.slowCallRate()) + " >= " + percent(slowLimit)
                    + " over the " + closed.window.describe() + " (" + totals.slowCalls() + " of " + totals.calls()
                    + " took >= " + human(config.slowCallDuration().orElseThrow()) + ")", totals);
        }
    }

    // ---------------------------------------------------------------- wrappers

    /**
     * Runs {@code callable} if permitted, recording its outcome; refused calls throw
     * {@link CircuitBreakerOpenException}. The call is timed only when {@code slowCallDuration} is set.
     */
    public <T> T call(Callable<T> callable) throws Exception {
        Objects.requireNonNull(callable, "callable");
        if (!canExecute()) {
            throw openException();
        }
        long start = timeCalls ? clock.nanoTime() : 0L;
        T result;
        try {
            result = callable.call();
        } catch (Throwable t) {
            recordFailure(t, elapsedSince(start));
            throw t;
        }
        recordSuccess(elapsedSince(start));
        return result;
    }

    /** Nanoseconds since {@code start}, or -1 (unknown) when calls are not timed. */
    private long elapsedSince(long start) {
        return timeCalls ? clock.nanoTime() - start : -1L;
    }

    /** Like {@link #call(Callable)}, for code that throws no checked exception. */
    public <T> T execute(Supplier<T> supplier) {
        Objects.requireNonNull(supplier, "supplier");
        if (!canExecute()) {
            throw openException();
        }
        long start = timeCalls ? clock.nanoTime() : 0L;
        T result;
        try {
            result = supplier.get();
        } catch (Throwable t) {
            recordFailure(t, elapsedSince(start));
            throw t;
        }
        recordSuccess(elapsedSince(start));
        return result;
    }

    /**
     * Starts an asynchronous call if permitted and records how it completes. The returned future completes
     * exactly as the call's stage does; a refused call gets a future already failed with
     * {@link CircuitBreakerOpenException}, and {@code supplier} is not invoked.
     */
    public <T> CompletableFuture<T> executeAsync(Supplier<? extends CompletionStage<T>> supplier) {
        Objects.requireNonNull(supplier, "supplier");
        if (!canExecute()) {
            return CompletableFuture.failedFuture(openException());
        }
        long start = timeCalls ? clock.nanoTime() : 0L;
        CompletionStage<T> stage;
        try {
            stage = supplier.get();
        } catch (Throwable t) {
            recordFailure(t, elapsedSince(start));
            return CompletableFuture.failedFuture(t);
        }
        if (stage == null) {
            releasePermit();
            return CompletableFuture.failedFuture(new NullPointerException("executeAsync: the supplier returned null"));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        stage.whenComplete((value, error) -> {
            long elapsed = elapsedSince(start);
            if (error == null) {
                recordSuccess(elapsed);
                result.complete(value);
            } else {
                recordFailure(unwrap(error), elapsed);
                result.completeExceptionally(error);
            }
        });
        return result;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The exception for a call refused now: names this breaker and when it next admits a call. */
    public CircuitBreakerOpenException openException() {
        Phase p = phase.get();
        Instant next = null;
        if (p instanceof Phase.Open open) {
            next = clock.toInstant(open.retryAtNanos);
        } else if (p instanceof Phase.HalfOpen half) {
            next = clock.toInstant(half.trialsExpireAtNanos(halfOpenMaxWaitNanos));
        }
        return CircuitBreakerOpenException.of(name, p.state, next,
                Instant.ofEpochMilli(clock.currentTimeMillis()), config.writableStackTrace());
    }

    // ---------------------------------------------------------------- manual control

    /** Rejects every call until {@link #reset()}. */
    public void forceOpen() {
        manual(CircuitBreakerState.FORCED_OPEN, "forced open by hand");
    }

    /** Admits every call and counts nothing until {@link #reset()}. */
    public void disable() {
        manual(CircuitBreakerState.DISABLED, "disabled by hand");
    }

    /** Back to CLOSED with empty counters and no backoff, from any state. */
    public void reset() {
        for (;;) {
            Phase p = phase.get();
            if (transition(p, closed(p.sequence + 1), "reset by hand", totalsOf(p))) {
                return;
            }
        }
    }

    private void manual(CircuitBreakerState state, String reason) {
        for (;;) {
            Phase p = phase.get();
            if (p.state == state) {
                return;
            }
            Phase next = new Phase.Manual(state, p.sequence + 1, clock.nanoTime(), clock.currentTimeMillis());
            if (transition(p, next, reason, totalsOf(p))) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- transitions

    Phase.Closed closed(long sequence) {
        return new Phase.Closed(sequence, clock.nanoTime(), clock.currentTimeMillis(), OutcomeWindow.create(config));
    }

    private void trip(Phase.Closed closed, long now, String reason, WindowTotals totals) {
        Phase.Open open = new Phase.Open(closed.sequence + 1, now, clock.currentTimeMillis(), 0, now + openWaitNanos(0));
        int failures = Math.max(totals.failures(), closed.consecutiveFailures.get());
        transition(closed, open, reason, new WindowTotals(Math.max(totals.calls(), failures), failures, totals.slowCalls()));
    }

    private void reopen(Phase.HalfOpen half, long now, String reason) {
        int reopenCount = half.reopenCount + 1;
        Phase.Open open = new Phase.Open(half.sequence + 1, now, clock.currentTimeMillis(), reopenCount,
                now + openWaitNanos(reopenCount));
        int successes = half.successes.get();
        transition(half, open, reason, new WindowTotals(successes + 1, 1, 0));
    }

    private void toHalfOpen(Phase.Open open, long now) {
        Phase.HalfOpen half = new Phase.HalfOpen(open.sequence + 1, now, clock.currentTimeMillis(), open.reopenCount,
                config.halfOpenMaxCalls());
        transition(open, half, "reset timeout of " + human(Duration.ofNanos(open.retryAtNanos - open.enteredAtNanos))
                + " elapsed", WindowTotals.EMPTY);
    }

    private void toClosed(Phase.HalfOpen half, String reason) {
        transition(half, closed(half.sequence + 1), reason, totalsOf(half));
    }

    private WindowTotals totalsOf(Phase p) {
        if (p instanceof Phase.Closed closed) {
            return closed.window.totals(clock.nanoTime());
        }
        if (p instanceof Phase.HalfOpen half) {
            int successes = half.successes.get();
            return new WindowTotals(successes, 0, 0);
        }
        return WindowTotals.EMPTY;
    }

    long openWaitNanos(int reopenCount) {
        double wait = config.resetTimeout().toNanos() * Math.pow(config.backoffMultiplier(), reopenCount);
        double max = config.maxResetTimeout().toNanos();
        wait = Math.min(wait, max);
        if (config.jitter() > 0) {
            wait *= 1.0 + config.jitter() * (2.0 * ThreadLocalRandom.current().nextDouble() - 1.0);
        }
        return Math.max(1L, (long) wait);
    }

    private boolean transition(Phase from, Phase to, String reason, WindowTotals totals) {
        if (!phase.compareAndSet(from, to)) {
            return false;
        }
        LastFailure last = lastFailure;
        StateTransition t = new StateTransition(name, from.state, to.state, Instant.ofEpochMilli(to.enteredAtMillis),
                reason, to.sequence, totals.failureRate(), totals.slowCallRate(), totals.failures(),
                totals.calls() - totals.failures(), last == null ? null : last.details());
        if (to.state.rejectsCalls()) {
            LOG.warn("Circuit breaker '{}' {} -> {}: {}", name, from.state, to.state, reason);
        } else {
            LOG.info("Circuit breaker '{}' {} -> {}: {}", name, from.state, to.state, reason);
        }
        dispatcher.publish(t);
        return true;
    }

    // ---------------------------------------------------------------- observation

    /** Registers a listener for every later transition of this breaker. */
    public Subscription onTransition(TransitionListener listener) {
        Objects.requireNonNull(listener, "listener");
        dispatcher.add(listener);
        return () -> dispatcher.remove(listener);
    }

    /** The breaker as it is now. */
    public CircuitBreakerSnapshot snapshot() {
        Phase p = phase.get();
        long now = clock.nanoTime();
        WindowTotals w = p instanceof Phase.Closed closed ? closed.window.totals(now) : WindowTotals.EMPTY;
        int consecutive = p instanceof Phase.Closed closed ? closed.consecutiveFailures.get() : 0;
        Instant next = p instanceof Phase.Open open ? clock.toInstant(open.retryAtNanos) : null;
        LastFailure last = lastFailure;
        String window = OutcomeWindow.describe(config);
        return new CircuitBreakerSnapshot(name, p.state, Instant.ofEpochMilli(p.enteredAtMillis), consecutive,
                w.calls(), w.failures(), w.slowCalls(), w.failureRate(), w.slowCallRate(), window,
                counters.successful.sum(), counters.failed.sum(), counters.slow.sum(), counters.rejected.sum(),
                counters.ignored.sum(), last == null ? null : Instant.ofEpochMilli(last.atMillis()),
                last == null ? null : last.details(), next);
    }

    /** Lifetime call counts and durations, without building a whole snapshot (for metrics). */
    public CallStats callStats() {
        return new CallStats(counters.successful.sum(), counters.failed.sum(), counters.slow.sum(), counters.rejected.sum(),
                counters.ignored.sum(), counters.successfulNanos.sum(), counters.failedNanos.sum());
    }

    @Override
    public String toString() {
        return "CircuitBreaker[" + name + ", " + state() + "]";
    }

    private static String percent(double rate) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", rate * 100);
    }

    static String human(Duration d) {
        long millis = d.toMillis();
        if (millis % 1000 == 0) {
            return millis / 1000 + " s";
        }
        if (millis >= 1000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        return millis + " ms";
    }
}
