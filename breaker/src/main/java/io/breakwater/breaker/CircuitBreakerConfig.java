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
    // Everything but the name: shared by the copies withName() makes.
    final Settings s;

    CircuitBreakerConfig(CircuitBreakerConfigBuilder b) {
        this(b.name, new Settings(b));
    }

    private CircuitBreakerConfig(String name, Settings s) {
        this.name = name;
        this.s = s;
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

    /** This config under another name; the copy shares every other setting with this one. */
    public CircuitBreakerConfig withName(String newName) {
        if (name.equals(newName)) {
            return this;
        }
        ConfigValidation.checkNewName(newName);
        return new CircuitBreakerConfig(newName, s);
    }

    public String name() {
        return name;
    }

    /** Consecutive failures in CLOSED that open the breaker. */
    public int failureThreshold() {
        return s.failureThreshold;
    }

    /** Successful trial calls in HALF_OPEN that close the breaker. */
    public int successThreshold() {
        return s.successThreshold;
    }

    /** How long the breaker stays OPEN before it admits trial calls (the first time; see backoff). */
    public Duration resetTimeout() {
        return s.resetTimeout;
    }

    /** Trial calls admitted in HALF_OPEN. */
    public int halfOpenMaxCalls() {
        return s.halfOpenMaxCalls;
    }

    /** How long trial calls may stay unanswered before they count as failures. */
    public Duration halfOpenMaxWait() {
        return s.halfOpenMaxWait != null ? s.halfOpenMaxWait : s.resetTimeout;
    }

    /** The count window's size, if the window counts calls. */
    public OptionalInt windowSize() {
        return s.windowSize > 0 ? OptionalInt.of(s.windowSize) : OptionalInt.empty();
    }

    /** The time window's length, if the window spans time. */
    public Optional<Duration> windowDuration() {
        return Optional.ofNullable(s.windowDuration);
    }

    /** Whether a sliding window (count or time) is configured. */
    public boolean hasWindow() {
        return s.windowSize > 0 || s.windowDuration != null;
    }

    /** Calls the window must hold before its rates can open the breaker. */
    public int minimumCalls() {
        if (s.minimumCalls > 0) {
            return s.minimumCalls;
        }
        return s.windowSize > 0 ? Math.min(DEFAULT_MINIMUM_CALLS, s.windowSize) : DEFAULT_MINIMUM_CALLS;
    }

    /** The failure rate in (0, 1] that opens the breaker, if set. */
    public OptionalDouble failureRateThreshold() {
        return Double.isNaN(s.failureRateThreshold) ? OptionalDouble.empty() : OptionalDouble.of(s.failureRateThreshold);
    }

    /** The slow-call rate in (0, 1] that opens the breaker, if set. */
    public OptionalDouble slowCallRateThreshold() {
        return Double.isNaN(s.slowCallRateThreshold) ? OptionalDouble.empty() : OptionalDouble.of(s.slowCallRateThreshold);
    }

    /** A call that takes at least this long is slow, if set. */
    public Optional<Duration> slowCallDuration() {
        return Optional.ofNullable(s.slowCallDuration);
    }

    /** Each re-open from HALF_OPEN multiplies the wait by this (1 means no backoff). */
    public double backoffMultiplier() {
        return s.backoffMultiplier;
    }

    /** The longest wait in OPEN, however often the breaker re-opened. */
    public Duration maxResetTimeout() {
        if (s.maxResetTimeout != null) {
            return s.maxResetTimeout;
        }
        if (s.backoffMultiplier <= 1.0) {
            return s.resetTimeout;
        }
        try {
            return s.resetTimeout.multipliedBy(10);
        } catch (ArithmeticException e) {
            return s.resetTimeout;
        }
    }

    /** Each wait (after backoff and its cap) is drawn uniformly from {@code wait × [1 − jitter, 1 + jitter]}. */
    public double jitter() {
        return s.jitter;
    }

    /** Whether {@code failure} counts as a failure: it matches the record predicate and not the ignore predicate. */
    public boolean isRecordedFailure(Throwable failure) {
        return s.predicate.recorded(failure);
    }

    /** Whether {@link CircuitBreakerOpenException}s carry a stack trace (off: the fast-fail path stays cheap). */
    public boolean writableStackTrace() {
        return s.writableStackTrace;
    }

    public Clock clock() {
        return s.clock;
    }

    /** Where the breaker keeps its state across restarts, if anywhere. */
    public Optional<BreakerStateStore> stateStore() {
        return Optional.ofNullable(s.stateStore);
    }

    /** Saved state older than this is ignored when a breaker is created (default 1 h). */
    public Duration stateTtl() {
        return s.stateTtl;
    }

    /**
     * How long the creation of a breaker waits for its store to answer (default 500 ms); a later answer is
     * applied when it comes, if the breaker has not moved meanwhile.
     */
    public Duration stateRestoreWait() {
        return s.stateRestoreWait;
    }

    /**
     * The settings in which this config and {@code other} differ, as "field: this value vs other value",
     * names aside. Predicates cannot be compared and are left out; the clock and the state store are
     * compared with {@code equals}.
     */
    public java.util.List<String> differences(CircuitBreakerConfig other) {
        java.util.List<String> d = new java.util.ArrayList<>();
        differ(d, "failureThreshold", s.failureThreshold, other.s.failureThreshold);
        differ(d, "successThreshold", s.successThreshold, other.s.successThreshold);
        differ(d, "resetTimeout", s.resetTimeout, other.s.resetTimeout);
        differ(d, "halfOpenMaxCalls", s.halfOpenMaxCalls, other.s.halfOpenMaxCalls);
        differ(d, "halfOpenMaxWait", halfOpenMaxWait(), other.halfOpenMaxWait());
        differ(d, "windowSize", windowSize(), other.windowSize());
        differ(d, "windowDuration", s.windowDuration, other.s.windowDuration);
        differ(d, "minimumCalls", minimumCalls(), other.minimumCalls());
        differ(d, "failureRateThreshold", failureRateThreshold(), other.failureRateThreshold());
        differ(d, "slowCallRateThreshold", slowCallRateThreshold(), other.slowCallRateThreshold());
        differ(d, "slowCallDuration", s.slowCallDuration, other.s.slowCallDuration);
        differ(d, "backoffMultiplier", s.backoffMultiplier, other.s.backoffMultiplier);
        differ(d, "maxResetTimeout", maxResetTimeout(), other.maxResetTimeout());
        differ(d, "jitter", s.jitter, other.s.jitter);
        differ(d, "writableStackTrace", s.writableStackTrace, other.s.writableStackTrace);
        differ(d, "clock", s.clock, other.s.clock);
        differ(d, "stateStore", s.stateStore, other.s.stateStore);
        differ(d, "stateTtl", s.stateTtl, other.s.stateTtl);
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
        StringBuilder out = new StringBuilder("CircuitBreakerConfig[name=").append(name)
                .append(", failureThreshold=").append(s.failureThreshold)
                .append(", successThreshold=").append(s.successThreshold)
                .append(", resetTimeout=").append(s.resetTimeout)
                .append(", halfOpenMaxCalls=").append(s.halfOpenMaxCalls)
                .append(", halfOpenMaxWait=").append(halfOpenMaxWait());
        if (s.windowSize > 0) {
            out.append(", windowSize=").append(s.windowSize);
        }
        if (s.windowDuration != null) {
            out.append(", windowDuration=").append(s.windowDuration);
        }
        if (hasWindow()) {
            out.append(", minimumCalls=").append(minimumCalls());
        }
        failureRateThreshold().ifPresent(v -> out.append(", failureRateThreshold=").append(v));
        slowCallRateThreshold().ifPresent(v -> out.append(", slowCallRateThreshold=").append(v));
        slowCallDuration().ifPresent(v -> out.append(", slowCallDuration=").append(v));
        if (s.backoffMultiplier > 1.0) {
            out.append(", backoffMultiplier=").append(s.backoffMultiplier).append(", maxResetTimeout=").append(maxResetTimeout());
        }
        if (s.jitter > 0) {
            out.append(", jitter=").append(s.jitter);
        }
        return out.append(']').toString();
    }

}
