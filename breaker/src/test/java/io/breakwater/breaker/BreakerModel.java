package io.breakwater.breaker;

import static io.breakwater.breaker.CircuitBreakerState.CLOSED;
import static io.breakwater.breaker.CircuitBreakerState.DISABLED;
import static io.breakwater.breaker.CircuitBreakerState.FORCED_OPEN;
import static io.breakwater.breaker.CircuitBreakerState.HALF_OPEN;
import static io.breakwater.breaker.CircuitBreakerState.OPEN;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The documented rules of a breaker (README, "How a breaker decides"), as a plain single-threaded state
 * machine. Time is passed in by the caller (a {@link ManualClock}'s nanoTime). It is written from the
 * rules, never from {@link CircuitBreaker}, and reads no derived value from {@link CircuitBreakerConfig}
 * either: it applies the documented defaults itself, so that it can disagree with the code.
 */
final class BreakerModel {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /**
     * A config as the walk chose it; null means "not set, use the documented default". Jitter is always 0,
     * so every wait is exact.
     */
    record Settings(int failureThreshold, int successThreshold, int halfOpenMaxCalls, Duration resetTimeout,
                    Duration halfOpenMaxWait, Integer windowSize, Duration windowDuration, Integer minimumCalls,
                    Double failureRateThreshold, Double slowCallRateThreshold, Duration slowCallDuration,
                    Double backoffMultiplier, Duration maxResetTimeout) {

        /** The same config for the real breaker; throwables of {@code ignored} do not count. */
        CircuitBreakerConfigBuilder toBuilder(Class<? extends Throwable> ignored) {
            CircuitBreakerConfigBuilder b = CircuitBreakerConfig.builder("model")
                    .failureThreshold(failureThreshold)
                    .successThreshold(successThreshold)
                    .halfOpenMaxCalls(halfOpenMaxCalls)
                    .resetTimeout(resetTimeout)
                    .jitter(0)
                    .ignoreExceptions(ignored);
            if (halfOpenMaxWait != null) {
                b.halfOpenMaxWait(halfOpenMaxWait);
            }
            if (windowSize != null) {
                b.windowSize(windowSize);
            }
            if (windowDuration != null) {
                b.windowDuration(windowDuration);
            }
            if (minimumCalls != null) {
                b.minimumCalls(minimumCalls);
            }
            if (failureRateThreshold != null) {
                b.failureRateThreshold(failureRateThreshold);
            }
            if (slowCallRateThreshold != null) {
                b.slowCallRateThreshold(slowCallRateThreshold);
            }
            if (slowCallDuration != null) {
                b.slowCallDuration(slowCallDuration);
            }
            if (backoffMultiplier != null) {
                b.exponentialBackoff(backoffMultiplier, maxResetTimeout);
            }
            return b;
        }
    }

    record Transition(CircuitBreakerState from, CircuitBreakerState to, long sequence) {
        @Override
        public String toString() {
            return "#" + sequence + " " + from + "->" + to;
        }
    }

    record Counters(long successful, long failed, long slow, long rejected, long ignored) {
    }

    /** Window contents: calls, failures and slow calls. */
    record Totals(int calls, int failures, int slowCalls) {
    }

    private record Call(long atNanos, boolean failed, boolean slow) {
    }

    private final Settings settings;
    private final List<Transition> transitions = new ArrayList<>();
    private CircuitBreakerState state = CLOSED;

    // Lifetime counters: never reset, and frozen while DISABLED.
    private long successful;
    private long failed;
    private long slow;
    private long rejected;
    private long ignored;

    // CLOSED: every call recorded since the breaker last closed, oldest first; the window is a view of it.
    private final List<Call> calls = new ArrayList<>();
    private int consecutiveFailures;

    // OPEN.
    private long openedAt;
    private long openWait;
    // Re-opens from HALF_OPEN since the breaker was last CLOSED: the k of the backoff.
    private int reopens;

    // HALF_OPEN: the grant times of the permits held now, oldest first.
    private final List<Long> heldPermits = new ArrayList<>();
    private int permitsAnsweredBySuccess;
    private int trialSuccesses;

    BreakerModel(Settings settings) {
        this.settings = settings;
    }

    CircuitBreakerState state() {
        return state;
    }

    List<Transition> transitions() {
        return List.copyOf(transitions);
    }

    Counters counters() {
        return new Counters(successful, failed, slow, rejected, ignored);
    }

    // ---------------------------------------------------------------- calls

    boolean canExecute(long now) {
        switch (state) {
            case CLOSED, DISABLED -> {
                return true;
            }
            case OPEN -> {
                if (now >= openedAt + openWait) {
                    toHalfOpen();
                    return canExecute(now);
                }
                rejected++;
                return false;
            }
            case HALF_OPEN -> {
                if (aHeldPermitExpired(now)) {
                    reopen(now);
                    return canExecute(now);
                }
                if (heldPermits.size() + permitsAnsweredBySuccess < settings.halfOpenMaxCalls()) {
                    heldPermits.add(now);
                    return true;
                }
                rejected++;
                return false;
            }
            default -> {
                rejected++;
                return false;
            }
        }
    }

    /** A success; {@code durationNanos} negative means "no duration given". */
    void success(long now, long durationNanos) {
        if (state == DISABLED) {
            return;
        }
        boolean isSlow = isSlow(durationNanos);
        successful++;
        if (isSlow) {
            slow++;
        }
        if (state == CLOSED) {
            consecutiveFailures = 0;
            calls.add(new Call(now, false, isSlow));
            evaluate(now);
        } else if (state == HALF_OPEN) {
            if (isSlow && settings.slowCallRateThreshold() != null) {
                reopen(now);
                return;
            }
            if (!heldPermits.isEmpty()) {
                heldPermits.remove(0);
                permitsAnsweredBySuccess++;
            }
            trialSuccesses++;
            if (trialSuccesses >= settings.successThreshold()) {
                close();
            }
        }
    }

    /** A failure that counts; {@code durationNanos} negative means "no duration given". */
    void failure(long now, long durationNanos) {
        if (state == DISABLED) {
            return;
        }
        boolean isSlow = isSlow(durationNanos);
        failed++;
        if (isSlow) {
            slow++;
        }
        if (state == CLOSED) {
            consecutiveFailures++;
            calls.add(new Call(now, true, isSlow));
            evaluate(now);
        } else if (state == HALF_OPEN) {
            reopen(now);
        }
    }

    /** recordIgnored(), or a failure whose throwable does not count. */
    void ignored() {
        if (state == DISABLED) {
            return;
        }
        ignored++;
        giveBackOldestPermit();
    }

    void releasePermit() {
        giveBackOldestPermit();
    }

    void checkTimeouts(long now) {
        if (state == OPEN && now >= openedAt + openWait) {
            toHalfOpen();
        } else if (state == HALF_OPEN && aHeldPermitExpired(now)) {
            reopen(now);
        }
    }

    // ---------------------------------------------------------------- by hand

    void forceOpen() {
        if (state != FORCED_OPEN) {
            move(FORCED_OPEN);
        }
    }

    void disable() {
        if (state != DISABLED) {
            move(DISABLED);
        }
    }

    void reset() {
        if (state != CLOSED) {
            close();
        }
    }

    // ---------------------------------------------------------------- reports

    /** What the window holds at {@code now} (nothing outside CLOSED, or without a window). */
    Totals window(long now) {
        if (state != CLOSED) {
            return new Totals(0, 0, 0);
        }
        List<Call> held = windowCalls(now);
        return new Totals(held.size(), (int) held.stream().filter(Call::failed).count(),
                (int) held.stream().filter(Call::slow).count());
    }

    /** When OPEN, the nanoTime from which a call is admitted again; otherwise -1. */
    long nextAttemptNanos() {
        return state == OPEN ? openedAt + openWait : -1;
    }

    // ---------------------------------------------------------------- rules

    private boolean isSlow(long durationNanos) {
        return durationNanos >= 0 && settings.slowCallDuration() != null
                && durationNanos >= settings.slowCallDuration().toNanos();
    }

    /** The CLOSED rules, after every recorded outcome. */
    private void evaluate(long now) {
        if (consecutiveFailures >= settings.failureThreshold()) {
            open(now);
            return;
        }
        if (!hasWindow()) {
            return;
        }
        Totals w = window(now);
        if (w.calls() < minimumCalls()) {
            return;
        }
        boolean failureRateReached = settings.failureRateThreshold() != null
                && (double) w.failures() / w.calls() >= settings.failureRateThreshold();
        boolean slowRateReached = settings.slowCallRateThreshold() != null
                && (double) w.slowCalls() / w.calls() >= settings.slowCallRateThreshold();
        if (failureRateReached || slowRateReached) {
            open(now);
        }
    }

    private boolean hasWindow() {
        return settings.windowSize() != null || settings.windowDuration() != null;
    }

    /** minimumCalls defaults to 10, or the window size if that is smaller. */
    private int minimumCalls() {
        if (settings.minimumCalls() != null) {
            return settings.minimumCalls();
        }
        return settings.windowSize() != null ? Math.min(10, settings.windowSize()) : 10;
    }

    /** Count window: the last windowSize calls. Time window of N s: the calls of seconds (now - N, now]. */
    private List<Call> windowCalls(long now) {
        if (settings.windowSize() != null) {
            return calls.subList(Math.max(0, calls.size() - settings.windowSize()), calls.size());
        }
        if (settings.windowDuration() != null) {
            long nowSecond = Math.floorDiv(now, NANOS_PER_SECOND);
            long seconds = settings.windowDuration().toSeconds();
            return calls.stream()
                    .filter(c -> Math.floorDiv(c.atNanos(), NANOS_PER_SECOND) > nowSecond - seconds)
                    .filter(c -> Math.floorDiv(c.atNanos(), NANOS_PER_SECOND) <= nowSecond)
                    .toList();
        }
        return List.of();
    }

    private boolean aHeldPermitExpired(long now) {
        long maxWait = halfOpenMaxWait().toNanos();
        return heldPermits.stream().anyMatch(grantedAt -> now - grantedAt >= maxWait);
    }

    /** Outcomes carry no permit, so an ignored call or a released permit gives back the oldest one held. */
    private void giveBackOldestPermit() {
        if (state == HALF_OPEN && !heldPermits.isEmpty()) {
            heldPermits.remove(0);
        }
    }

    private Duration halfOpenMaxWait() {
        return settings.halfOpenMaxWait() != null ? settings.halfOpenMaxWait() : settings.resetTimeout();
    }

    /** wait = min(resetTimeout × backoffMultiplier^k, maxResetTimeout). */
    private long openWaitNanos() {
        double multiplier = settings.backoffMultiplier() != null ? settings.backoffMultiplier() : 1.0;
        double wait = settings.resetTimeout().toNanos() * Math.pow(multiplier, reopens);
        return (long) Math.min(wait, maxResetTimeout().toNanos());
    }

    /** Defaults to resetTimeout without backoff, and to 10 × resetTimeout with backoff. */
    private Duration maxResetTimeout() {
        if (settings.maxResetTimeout() != null) {
            return settings.maxResetTimeout();
        }
        boolean backoff = settings.backoffMultiplier() != null && settings.backoffMultiplier() > 1.0;
        return backoff ? settings.resetTimeout().multipliedBy(10) : settings.resetTimeout();
    }

    // ---------------------------------------------------------------- transitions

    private void open(long now) {
        move(OPEN);
        openedAt = now;
        openWait = openWaitNanos();
    }

    private void reopen(long now) {
        reopens++;
        open(now);
    }

    private void toHalfOpen() {
        move(HALF_OPEN);
        heldPermits.clear();
        permitsAnsweredBySuccess = 0;
        trialSuccesses = 0;
    }

    private void close() {
        move(CLOSED);
        calls.clear();
        consecutiveFailures = 0;
        reopens = 0;
    }

    private void move(CircuitBreakerState to) {
        transitions.add(new Transition(state, to, transitions.size() + 1L));
        state = to;
    }
}
