package io.breakwater.breaker;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Predicate;

/**
 * The immutable configuration of one {@link CircuitBreaker}. Build it with {@link #builder(String)}, copy
 * and change it with {@link #from(CircuitBreakerConfig)}. Every field is checked at {@link CircuitBreakerConfigBuilder#build()};
 * a bad value fails with an {@link IllegalArgumentException} that names the field, the rule and the value.
 *
 * <p>Defaults: 5 consecutive failures open the breaker; it waits 30 s, then admits 3 trial calls; 3
 * successes close it. Windows, rate thresholds, slow calls and backoff are off until configured.
 */
public final class CircuitBreakerConfig {

    /** Largest count window; the window keeps one slot per call. */
    public static final int MAX_WINDOW_SIZE = 1_000_000;
    /** Longest time window; the window keeps one bucket per second. */
    public static final Duration MAX_WINDOW_DURATION = Duration.ofHours(1);
    /** Calls a window must hold before its rates count, unless set: 10, or the window size if smaller. */
    public static final int DEFAULT_MINIMUM_CALLS = 10;
    /** Most trial calls in HALF_OPEN; the breaker keeps one slot per trial. */
    public static final int MAX_HALF_OPEN_CALLS = 10_000;

    final String name;
    final int failureThreshold;
    final int successThreshold;
    final Duration resetTimeout;
    final int halfOpenMaxCalls;
    final Duration halfOpenMaxWait;
    final int windowSize;
    final Duration windowDuration;
    final int minimumCalls;
    final double failureRateThreshold;
    final double slowCallRateThreshold;
    final Duration slowCallDuration;
    final double backoffMultiplier;
    final Duration maxResetTimeout;
    final double jitter;
    final Predicate<Throwable> recordFailure;
    final Predicate<Throwable> ignoreFailure;
    final boolean writableStackTrace;
    final Clock clock;
    final BreakerStateStore stateStore;
    final Duration stateTtl;
    final Duration stateRestoreWait;

    CircuitBreakerConfig(CircuitBreakerConfigBuilder b) {
        this.name = b.name;
        this.failureThreshold = b.failureThreshold;
        this.successThreshold = b.successThreshold;
        this.resetTimeout = b.resetTimeout();
        this.halfOpenMaxCalls = b.halfOpenMaxCalls;
        this.halfOpenMaxWait = b.halfOpenMaxWait;
        this.windowSize = b.windowSize == null ? 0 : b.windowSize;
        this.windowDuration = b.windowDuration;
        this.minimumCalls = b.minimumCalls == null ? 0 : b.minimumCalls;
        this.failureRateThreshold = b.failureRateThreshold == null ? Double.NaN : b.failureRateThreshold;
        this.slowCallRateThreshold = b.slowCallRateThreshold == null ? Double.NaN : b.slowCallRateThreshold;
        this.slowCallDuration = b.slowCallDuration;
        this.backoffMultiplier = b.backoffMultiplier;
        this.maxResetTimeout = b.maxResetTimeout;
        this.jitter = b.jitter;
        this.recordFailure = b.recordFailure;
        this.ignoreFailure = b.ignoreFailure;
        this.writableStackTrace = b.writableStackTrace;
        this.clock = b.clock;
        this.stateStore = b.stateStore;
        this.stateTtl = b.stateTtl;
        this.stateRestoreWait = b.stateRestoreWait;
    }


    /** A builder for a breaker called {@code name}, with every default. */
    public static CircuitBreakerConfigBuilder builder(String name) {
        return new CircuitBreakerConfigBuilder(name);
    }

    /** The defaults, for a breaker called {@code name}. */
    public static CircuitBreakerConfig ofDefaults(String name) {
        return builder(name).build();
    }

    /** A builder that starts from every value of {@code base}; the base is not changed. */
    public static CircuitBreakerConfigBuilder from(CircuitBreakerConfig base) {
        return new CircuitBreakerConfigBuilder(Objects.requireNonNull(base, "base"));
    }

    /** This config under another name. */
    public CircuitBreakerConfig withName(String newName) {
        return name.equals(newName) ? this : from(this).name(newName).build();
    }

    public String name() {
        return name;
    }

    /** Consecutive failures in CLOSED that open the breaker. */
    public int failureThreshold() {
        return failureThreshold;
    }

    /** Successful trial calls in HALF_OPEN that close the breaker. */
    public int successThreshold() {
        return successThreshold;
    }

    /** How long the breaker stays OPEN before it admits trial calls (the first time; see backoff). */
    public Duration resetTimeout() {
        return resetTimeout;
    }

    /** Trial calls admitted in HALF_OPEN. */
    public int halfOpenMaxCalls() {
        return halfOpenMaxCalls;
    }

    /** How long trial calls may stay unanswered before they count as failures. */
    public Duration halfOpenMaxWait() {
        return halfOpenMaxWait != null ? halfOpenMaxWait : resetTimeout;
    }

    /** The count window's size, if the window counts calls. */
    public OptionalInt windowSize() {
        return windowSize > 0 ? OptionalInt.of(windowSize) : OptionalInt.empty();
    }

    /** The time window's length, if the window spans time. */
    public Optional<Duration> windowDuration() {
        return Optional.ofNullable(windowDuration);
    }

    /** Whether a sliding window (count or time) is configured. */
    public boolean hasWindow() {
        return windowSize > 0 || windowDuration != null;
    }

    /** Calls the window must hold before its rates can open the breaker. */
    public int minimumCalls() {
        if (minimumCalls > 0) {
            return minimumCalls;
        }
        return windowSize > 0 ? Math.min(DEFAULT_MINIMUM_CALLS, windowSize) : DEFAULT_MINIMUM_CALLS;
    }

    /** The failure rate in (0, 1] that opens the breaker, if set. */
    public OptionalDouble failureRateThreshold() {
        return Double.isNaN(failureRateThreshold) ? OptionalDouble.empty() : OptionalDouble.of(failureRateThreshold);
    }

    /** The slow-call rate in (0, 1] that opens the breaker, if set. */
    public OptionalDouble slowCallRateThreshold() {
        return Double.isNaN(slowCallRateThreshold) ? OptionalDouble.empty() : OptionalDouble.of(slowCallRateThreshold);
    }

    /** A call that takes at least this long is slow, if set. */
    public Optional<Duration> slowCallDuration() {
        return Optional.ofNullable(slowCallDuration);
    }

    /** Each re-open from HALF_OPEN multiplies the wait by this (1 means no backoff). */
    public double backoffMultiplier() {
        return backoffMultiplier;
    }

    /** The longest wait in OPEN, however often the breaker re-opened. */
    public Duration maxResetTimeout() {
        if (maxResetTimeout != null) {
            return maxResetTimeout;
        }
        if (backoffMultiplier <= 1.0) {
            return resetTimeout;
        }
        try {
            return resetTimeout.multipliedBy(10);
        } catch (ArithmeticException e) {
            return resetTimeout;
        }
    }

    /** Each wait (after backoff and its cap) is drawn uniformly from {@code wait × [1 − jitter, 1 + jitter]}. */
    public double jitter() {
        return jitter;
    }

    /** Whether {@code failure} counts as a failure: it matches the record predicate and not the ignore predicate. */
    public boolean isRecordedFailure(Throwable failure) {
        return !ignoreFailure.test(failure) && recordFailure.test(failure);
    }

    /** Whether {@link CircuitBreakerOpenException}s carry a stack trace (off: the fast-fail path stays cheap). */
    public boolean writableStackTrace() {
        return writableStackTrace;
    }

    public Clock clock() {
        return clock;
    }

    /** Where the breaker keeps its state across restarts, if anywhere. */
    public Optional<BreakerStateStore> stateStore() {
        return Optional.ofNullable(stateStore);
    }

    /** Saved state older than this is ignored when a breaker is created (default 1 h). */
    public Duration stateTtl() {
        return stateTtl;
    }

    /**
     * How long the creation of a breaker waits for its store to answer (default 500 ms); a later answer is
     * applied when it comes, if the breaker has not moved meanwhile.
     */
    public Duration stateRestoreWait() {
        return stateRestoreWait;
    }

    /**
     * The settings in which this config and {@code other} differ, as "field: this value vs other value",
     * names aside. Predicates cannot be compared and are left out; the clock and the state store are
     * compared with {@code equals}.
     */
    public java.util.List<String> differences(CircuitBreakerConfig other) {
        java.util.List<String> d = new java.util.ArrayList<>();
        differ(d, "failureThreshold", failureThreshold, other.failureThreshold);
        differ(d, "successThreshold", successThreshold, other.successThreshold);
        differ(d, "resetTimeout", resetTimeout, other.resetTimeout);
        differ(d, "halfOpenMaxCalls", halfOpenMaxCalls, other.halfOpenMaxCalls);
        differ(d, "halfOpenMaxWait", halfOpenMaxWait(), other.halfOpenMaxWait());
        differ(d, "windowSize", windowSize(), other.windowSize());
        differ(d, "windowDuration", windowDuration, other.windowDuration);
        differ(d, "minimumCalls", minimumCalls(), other.minimumCalls());
        differ(d, "failureRateThreshold", failureRateThreshold(), other.failureRateThreshold());
        differ(d, "slowCallRateThreshold", slowCallRateThreshold(), other.slowCallRateThreshold());
        differ(d, "slowCallDuration", slowCallDuration, other.slowCallDuration);
        differ(d, "backoffMultiplier", backoffMultiplier, other.backoffMultiplier);
        differ(d, "maxResetTimeout", maxResetTimeout(), other.maxResetTimeout());
        differ(d, "jitter", jitter, other.jitter);
        differ(d, "writableStackTrace", writableStackTrace, other.writableStackTrace);
        differ(d, "clock", clock, other.clock);
        differ(d, "stateStore", stateStore, other.stateStore);
        differ(d, "stateTtl", stateTtl, other.stateTtl);
        return d;
    }

    private static void differ(java.util.List<String> d, String field, Object mine, Object theirs) {
        if (!Objects.equals(mine, theirs)) {
            d.add(field + ": " + shown(mine) + " vs " + shown(theirs));
        }
    }

    private static String shown(Object value) {
        if (value instanceof Optional<?> o) {
            return o.map(String::valueOf).orElse("none");
        }
        if (value instanceof OptionalInt o) {
            return o.isPresent() ? String.valueOf(o.getAsInt()) : "none";
        }
        if (value instanceof OptionalDouble o) {
            return o.isPresent() ? String.valueOf(o.getAsDouble()) : "none";
        }
        return String.valueOf(value);
    }


    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("CircuitBreakerConfig[name=").append(name)
                .append(", failureThreshold=").append(failureThreshold)
                .append(", successThreshold=").append(successThreshold)
                .append(", resetTimeout=").append(resetTimeout)
                .append(", halfOpenMaxCalls=").append(halfOpenMaxCalls)
                .append(", halfOpenMaxWait=").append(halfOpenMaxWait());
        if (windowSize > 0) {
            s.append(", windowSize=").append(windowSize);
        }
        if (windowDuration != null) {
            s.append(", windowDuration=").append(windowDuration);
        }
        if (hasWindow()) {
            s.append(", minimumCalls=").append(minimumCalls());
        }
        failureRateThreshold().ifPresent(v -> s.append(", failureRateThreshold=").append(v));
        slowCallRateThreshold().ifPresent(v -> s.append(", slowCallRateThreshold=").append(v));
        slowCallDuration().ifPresent(v -> s.append(", slowCallDuration=").append(v));
        if (backoffMultiplier > 1.0) {
            s.append(", backoffMultiplier=").append(backoffMultiplier).append(", maxResetTimeout=").append(maxResetTimeout());
        }
        if (jitter > 0) {
            s.append(", jitter=").append(jitter);
        }
        return s.append(']').toString();
    }

}
