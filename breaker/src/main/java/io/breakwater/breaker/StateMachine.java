package io.breakwater.breaker;

import static io.breakwater.breaker.Texts.human;
import static io.breakwater.breaker.Texts.percent;

import io.breakwater.breaker.internal.CallCounters;
import io.breakwater.breaker.internal.Outcome;
import io.breakwater.breaker.internal.OutcomeWindow;
import io.breakwater.breaker.internal.TransitionDispatcher;
import io.breakwater.breaker.internal.WindowTotals;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules of one breaker: which calls are permitted, what each outcome does, and every transition.
 * Lock-free: the current {@link Phase} is swapped by compare-and-set from the phase being left, and each
 * transition is handed to the dispatcher once, after the swap.
 */
final class StateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);

    private final CircuitBreakerConfig config;
    private final String name;
    private final Clock clock;
    private final boolean timeWindow;
    private final long slowCallNanos;
    private final boolean slowTrials;
    private final long halfOpenMaxWaitNanos;
    // The current phase. Only ever replaced by compareAndSet from the phase being left.
    private final AtomicReference<Phase> phase;
    final TransitionDispatcher dispatcher = new TransitionDispatcher(1);
    final CallCounters counters = new CallCounters();
    // The last recorded failure; replaced whole, never mutated.
    volatile LastFailure lastFailure;

    StateMachine(CircuitBreakerConfig config) {
        this.config = config;
        this.name = config.name();
        this.clock = config.clock();
        this.timeWindow = config.windowDuration().isPresent();
        this.slowCallNanos = config.slowCallDuration().map(Duration::toNanos).orElse(Long.MAX_VALUE);
        this.slowTrials = config.slowCallRateThreshold().isPresent();
        this.halfOpenMaxWaitNanos = config.halfOpenMaxWait().toNanos();
        this.phase = new AtomicReference<>(closed(0));
    }

    Phase current() {
        return phase.get();
    }

    long halfOpenMaxWaitNanos() {
        return halfOpenMaxWaitNanos;
    }

    // ---------------------------------------------------------------- permission

    Permit acquire() {
        Phase p = phase.get();
        if (p instanceof Phase.Closed closed) {
            return closed.permit;
        }
        return acquire(p);
    }

    private Permit acquire(Phase p) {
        for (;;) {
            if (p instanceof Phase.Closed closed) {
                return closed.permit;
            }
            if (p instanceof Phase.Open open) {
                long now = clock.nanoTime();
                if (now - open.retryAtNanos < 0) {
                    counters.rejected.increment();
                    return null;
                }
                toHalfOpen(open, now);
            } else if (p instanceof Phase.HalfOpen half) {
                long now = clock.nanoTime();
                if (half.trialsExpired(now, halfOpenMaxWaitNanos)) {
                    expireTrials(half, now);
                } else {
                    Permit permit = half.tryAcquire(now);
                    if (permit == null) {
                        counters.rejected.increment();
                    }
                    return permit;
                }
            } else {
                Phase.Manual manual = (Phase.Manual) p;
                if (manual.permit == null) {
                    counters.rejected.increment();
                }
                return manual.permit;
            }
            p = phase.get();
        }
    }

    /** Gives back a permit whose call was never made; null means the oldest trial permit held. */
    void release(Permit permit) {
        Phase p = phase.get();
        if (p instanceof Phase.HalfOpen half) {
            if (permit == null) {
                int oldest = half.oldestHeld();
                if (oldest != Permit.NO_SLOT) {
                    half.release(oldest);
                }
            } else if (permit.phase == half) {
                half.release(permit.slot);
            }
        }
    }

    void checkTimeouts() {
        Phase p = phase.get();
        long now = clock.nanoTime();
        if (p instanceof Phase.Open open && now - open.retryAtNanos >= 0) {
            toHalfOpen(open, now);
        } else if (p instanceof Phase.HalfOpen half && half.trialsExpired(now, halfOpenMaxWaitNanos)) {
            expireTrials(half, now);
        }
    }

    private void expireTrials(Phase.HalfOpen half, long now) {
        reopen(half, now, half.held() + " trial call(s) unanswered after " + human(config.halfOpenMaxWait()));
    }

    // ---------------------------------------------------------------- outcomes

    /** A success; {@code permit} null for an outcome reported without one (it answers the oldest trial). */
    void success(Permit permit, long durationNanos) {
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
        if (permit != null && permit.phase != p) {
            return; // a late answer from an earlier period: statistics only
        }
        if (p instanceof Phase.Closed closed) {
            closed.succeeded();
            long now = timeWindow || slow ? clock.nanoTime() : 0L;
            long calls = closed.window.record(slow ? Outcome.SLOW_SUCCESS : Outcome.SUCCESS, now);
            // A plain success lowers both rates unless old outcomes left the window (time window) or it
            // makes the window hold minimumCalls for the first time: only then can the rules newly hold.
            if (slow || calls < 0 || calls == config.minimumCalls()) {
                checkRates(closed, now);
            }
        } else if (p instanceof Phase.HalfOpen half) {
            if (!answer(half, permit)) {
                return;
            }
            if (slow && slowTrials) {
                reopen(half, clock.nanoTime(), "trial call was slow (" + human(Duration.ofNanos(durationNanos)) + ")");
            } else {
                int successes = half.succeeded();
                if (successes == config.successThreshold()) {
                    toClosed(half, successes + " trial call(s) succeeded");
                }
            }
        }
    }

    /** Marks the trial answered; false when its permit was answered already (the outcome then decides nothing). */
    private static boolean answer(Phase.HalfOpen half, Permit permit) {
        if (permit != null) {
            return half.answer(permit.slot);
        }
        for (;;) {
            int oldest = half.oldestHeld();
            if (oldest == Permit.NO_SLOT) {
                return true; // nobody holds a permit (an observer reports): the outcome still counts
            }
            if (half.answer(oldest)) {
                return true;
            }
        }
    }

    /** A failure of {@code error} (or described by {@code details}); counts only if the config's rules say so. */
    void failure(Permit permit, Throwable error, String details, long durationNanos) {
        Phase p = phase.get();
        if (p.state == CircuitBreakerState.DISABLED) {
            return;
        }
        if (error != null && !counts(error)) {
            ignored(permit);
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
        LastFailure last = new LastFailure(clock.currentTimeMillis(), error, details);
        lastFailure = last;
        if (permit != null && permit.phase != p) {
            return;
        }
        long now = clock.nanoTime();
        if (p instanceof Phase.Closed closed) {
            int consecutive = closed.failed();
            closed.window.record(slow ? Outcome.SLOW_FAILURE : Outcome.FAILURE, now);
            if (consecutive >= config.failureThreshold()) {
                trip(closed, now, consecutive + " consecutive failure(s)", closed.window.totals(now));
            } else {
                checkRates(closed, now);
            }
        } else if (p instanceof Phase.HalfOpen half && answer(half, permit)) {
            reopen(half, now, "trial call failed: " + last.details());
        }
    }

    /**
     * Whether {@code error} counts as a failure. A {@code VirtualMachineError} never does (it says nothing
     * about the dependency). A predicate that throws is contained: the failure counts, and the first such
     * problem is logged.
     */
    private boolean counts(Throwable error) {
        if (error instanceof VirtualMachineError) {
            return false;
        }
        try {
            return config.isRecordedFailure(error);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.warn("Circuit breaker '{}': the recordFailure/ignoreFailure predicate threw on {}; counting it as a failure",
                    name, error.getClass().getName(), e);
            return true;
        }
    }

    /** An outcome that does not count: in HALF_OPEN its trial permit is given back. */
    void ignored(Permit permit) {
        Phase p = phase.get();
        if (p.state == CircuitBreakerState.DISABLED) {
            return;
        }
        counters.ignored.increment();
        release(permit);
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

    // ---------------------------------------------------------------- manual control

    void manual(CircuitBreakerState state, String reason) {
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

    /** Back to CLOSED with empty counters and no backoff; nothing at all when already CLOSED. */
    void reset() {
        for (;;) {
            Phase p = phase.get();
            if (p.state == CircuitBreakerState.CLOSED || transition(p, closed(p.sequence + 1), "reset by hand", totalsOf(p))) {
                return;
            }
        }
    }

    /**
     * Starts from {@code restored} instead of the first CLOSED phase, if no transition has happened yet.
     * {@code announce}: the breaker is already in use, so listeners hear of it as a transition.
     */
    boolean restore(Phase restored, boolean announce, String reason) {
        Phase first = phase.get();
        if (first.sequence != 0 || !(first instanceof Phase.Closed)) {
            return false;
        }
        if (!announce) {
            return phase.compareAndSet(first, restored);
        }
        return transition(first, restored, reason, WindowTotals.EMPTY);
    }

    // ---------------------------------------------------------------- transitions

    Phase.Closed closed(long sequence) {
        return new Phase.Closed(sequence, clock.nanoTime(), clock.currentTimeMillis(), OutcomeWindow.create(config));
    }

    private void trip(Phase.Closed closed, long now, String reason, WindowTotals totals) {
        Phase.Open open = new Phase.Open(closed.sequence + 1, now, clock.currentTimeMillis(), 0, now + openWaitNanos(0));
        long failures = Math.max(totals.failures(), closed.consecutiveFailures());
        transition(closed, open, reason, new WindowTotals(Math.max(totals.calls(), failures), failures, totals.slowCalls()));
    }

    private void reopen(Phase.HalfOpen half, long now, String reason) {
        int reopenCount = half.reopenCount + 1;
        Phase.Open open = new Phase.Open(half.sequence + 1, now, clock.currentTimeMillis(), reopenCount,
                now + openWaitNanos(reopenCount));
        transition(half, open, reason, new WindowTotals(half.successes() + 1L, 1, 0));
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

    WindowTotals totalsOf(Phase p) {
        if (p instanceof Phase.Closed closed) {
            return closed.window.totals(clock.nanoTime());
        }
        if (p instanceof Phase.HalfOpen half) {
            return new WindowTotals(half.successes(), 0, 0);
        }
        return WindowTotals.EMPTY;
    }

    /**
     * How long OPEN lasts after {@code reopenCount} re-opens: the reset timeout times the backoff
     * multiplier per re-open, capped at {@code maxResetTimeout}, then spread by the jitter. A
     * {@code maxResetTimeout} set by hand bounds every wait, jitter included (the spread then falls below it).
     */
    long openWaitNanos(int reopenCount) {
        double max = config.maxResetTimeout().toNanos();
        double wait = Math.min(config.resetTimeout().toNanos() * Math.pow(config.backoffMultiplier(), reopenCount), max);
        if (config.jitter() > 0) {
            wait *= 1.0 + config.jitter() * (2.0 * ThreadLocalRandom.current().nextDouble() - 1.0);
            if (config.maxResetTimeout != null) {
                wait = Math.min(wait, max);
            }
        }
        return Math.max(1L, (long) wait);
    }

    private boolean transition(Phase from, Phase to, String reason, WindowTotals totals) {
        if (!phase.compareAndSet(from, to)) {
            return false;
        }
        LastFailure last = lastFailure;
        StateTransition t = new StateTransition(name, from.state, to.state, Instant.ofEpochMilli(to.enteredAtMillis),
                reason, to.sequence, totals.failureRate(), totals.slowCallRate(), saturated(totals.failures()),
                saturated(totals.calls() - totals.failures()), last == null ? null : last.details());
        if (to.state.rejectsCalls()) {
            LOG.warn("Circuit breaker '{}' {} -> {}: {}", name, from.state, to.state, reason);
        } else {
            LOG.info("Circuit breaker '{}' {} -> {}: {}", name, from.state, to.state, reason);
        }
        dispatcher.publish(t);
        return true;
    }

    static int saturated(long count) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, count));
    }
}
