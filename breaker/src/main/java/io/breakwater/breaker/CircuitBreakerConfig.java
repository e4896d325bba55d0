package io.breakwater.breaker;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Predicate;

/**
 * The immutable configuration of one {@link CircuitBreaker}. Build it with {@link #builder(String)}, copy
 * and change it with {@link #from(CircuitBreakerConfig)}. Every field is checked at {@link Builder#build()};
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

    private final String name;
    private final int failureThreshold;
    private final int successThreshold;
    private final Duration resetTimeout;
    private final int halfOpenMaxCalls;
    private final Duration halfOpenMaxWait;
    private final int windowSize;
    private final Duration windowDuration;
    private final int minimumCalls;
    private final double failureRateThreshold;
    private final double slowCallRateThreshold;
    private final Duration slowCallDuration;
    private final double backoffMultiplier;
    private final Duration maxResetTimeout;
    private final double jitter;
    private final Predicate<Throwable> recordFailure;
    private final Predicate<Throwable> ignoreFailure;
    private final boolean writableStackTrace;
    private final Clock clock;
    private final BreakerStateStore stateStore;
    private final Duration stateTtl;

    private CircuitBreakerConfig(Builder b) {
        this.name = b.name;
        this.failureThreshold = b.failureThreshold;
        this.successThreshold = b.successThreshold;
        this.resetTimeout = b.resetTimeout();
        this.halfOpenMaxCalls = b.halfOpenMaxCalls;
        this.halfOpenMaxWait = b.halfOpenMaxWait;
        this.windowSize = b.windowSize;
        this.windowDuration = b.windowDuration;
        this.minimumCalls = b.minimumCalls;
        this.failureRateThreshold = b.failureRateThreshold;
        this.slowCallRateThreshold = b.slowCallRateThreshold;
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
    }


    /** A builder for a breaker called {@code name}, with every default. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The defaults, for a breaker called {@code name}. */
    public static CircuitBreakerConfig ofDefaults(String name) {
        return builder(name).build();
    }

    /** A builder that starts from every value of {@code base}; the base is not changed. */
    public static Builder from(CircuitBreakerConfig base) {
        return new Builder(Objects.requireNonNull(base, "base"));
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

    /**
     * Collects values; checks them all at {@link #build()}. Not thread-safe; the built config keeps no link
     * to the builder.
     */
    public static final class Builder {
        String name;
        int failureThreshold = 5;
        int successThreshold = 3;
        Duration resetTimeout = Duration.ofSeconds(30);
        Duration timeoutSecondsAlias;
        boolean resetTimeoutSet;
        int halfOpenMaxCalls = 3;
        Duration halfOpenMaxWait;
        int windowSize;
        Duration windowDuration;
        int minimumCalls;
        double failureRateThreshold = Double.NaN;
        double slowCallRateThreshold = Double.NaN;
        Duration slowCallDuration;
        double backoffMultiplier = 1.0;
        Duration maxResetTimeout;
        double jitter;
        Predicate<Throwable> recordFailure = t -> true;
        Predicate<Throwable> ignoreFailure = t -> false;
        boolean writableStackTrace;
        Clock clock = Clock.system();
        BreakerStateStore stateStore;
        Duration stateTtl = Duration.ofHours(1);

        private Builder(String name) {
            this.name = name;
        }

        private Builder(CircuitBreakerConfig c) {
            this.name = c.name;
            this.failureThreshold = c.failureThreshold;
            this.successThreshold = c.successThreshold;
            this.resetTimeout = c.resetTimeout;
            this.resetTimeoutSet = true;
            this.halfOpenMaxCalls = c.halfOpenMaxCalls;
            this.halfOpenMaxWait = c.halfOpenMaxWait;
            this.windowSize = c.windowSize;
            this.windowDuration = c.windowDuration;
            this.minimumCalls = c.minimumCalls;
            this.failureRateThreshold = c.failureRateThreshold;
            this.slowCallRateThreshold = c.slowCallRateThreshold;
            this.slowCallDuration = c.slowCallDuration;
            this.backoffMultiplier = c.backoffMultiplier;
            this.maxResetTimeout = c.maxResetTimeout;
            this.jitter = c.jitter;
            this.recordFailure = c.recordFailure;
            this.ignoreFailure = c.ignoreFailure;
            this.writableStackTrace = c.writableStackTrace;
            this.clock = c.clock;
            this.stateStore = c.stateStore;
            this.stateTtl = c.stateTtl;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder failureThreshold(int failures) {
            this.failureThreshold = failures;
            return this;
        }

        public Builder successThreshold(int successes) {
            this.successThreshold = successes;
            return this;
        }

        public Builder resetTimeout(Duration timeout) {
            this.resetTimeout = Objects.requireNonNull(timeout, "resetTimeout");
            this.resetTimeoutSet = true;
            return this;
        }

        /** Alias of {@link #resetTimeout(Duration)} in whole seconds, as in the original guide. */
        public Builder timeoutSeconds(long seconds) {
            this.timeoutSecondsAlias = Duration.ofSeconds(seconds);
            return this;
        }

        public Builder halfOpenMaxCalls(int calls) {
            this.halfOpenMaxCalls = calls;
            return this;
        }

        /** Defaults to the reset timeout. */
        public Builder halfOpenMaxWait(Duration wait) {
            this.halfOpenMaxWait = Objects.requireNonNull(wait, "halfOpenMaxWait");
            return this;
        }

        /** A sliding window over the last {@code calls} calls. Excludes {@link #windowDuration(Duration)}. */
        public Builder windowSize(int calls) {
            this.windowSize = calls;
            return this;
        }

        /** A sliding window over the last {@code duration}, in whole seconds. Excludes {@link #windowSize(int)}. */
        public Builder windowDuration(Duration duration) {
            this.windowDuration = Objects.requireNonNull(duration, "windowDuration");
            return this;
        }

        /** Defaults to 10, or the window size if that is smaller. */
        public Builder minimumCalls(int calls) {
            this.minimumCalls = calls;
            return this;
        }

        public Builder failureRateThreshold(double rate) {
            this.failureRateThreshold = rate;
            return this;
        }

        public Builder slowCallRateThreshold(double rate) {
            this.slowCallRateThreshold = rate;
            return this;
        }

        public Builder slowCallDuration(Duration duration) {
            this.slowCallDuration = Objects.requireNonNull(duration, "slowCallDuration");
            return this;
        }

        /** Each re-open from HALF_OPEN multiplies the wait; {@code max} caps it. */
        public Builder exponentialBackoff(double multiplier, Duration max) {
            this.backoffMultiplier = multiplier;
            this.maxResetTimeout = Objects.requireNonNull(max, "maxResetTimeout");
            return this;
        }

        /** Spreads each wait uniformly over {@code wait × [1 − jitter, 1 + jitter]}; {@code jitter} in [0, 1). */
        public Builder jitter(double jitter) {
            this.jitter = jitter;
            return this;
        }

        /** Which throwables count as failures (default: all). Others are counted as ignored. */
        public Builder recordFailure(Predicate<Throwable> predicate) {
            this.recordFailure = Objects.requireNonNull(predicate, "recordFailure");
            return this;
        }

        /** Throwables that never count as failures, whatever {@link #recordFailure(Predicate)} says. */
        public Builder ignoreFailure(Predicate<Throwable> predicate) {
            this.ignoreFailure = Objects.requireNonNull(predicate, "ignoreFailure");
            return this;
        }

        /** Shorthand: throwables of these classes (or subclasses) are ignored. */
        @SafeVarargs
        public final Builder ignoreExceptions(Class<? extends Throwable>... types) {
            Objects.requireNonNull(types, "types");
            Predicate<Throwable> previous = ignoreFailure;
            Class<?>[] copy = types.clone();
            for (Class<?> type : copy) {
                Objects.requireNonNull(type, "ignoreExceptions contains null");
            }
            this.ignoreFailure = t -> {
                for (Class<?> type : copy) {
                    if (type.isInstance(t)) {
                        return true;
                    }
                }
                return previous.test(t);
            };
            return this;
        }

        public Builder writableStackTrace(boolean writable) {
            this.writableStackTrace = writable;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Keeps the breaker's state in {@code store}: loaded when the breaker is created, saved on each transition. */
        public Builder stateStore(BreakerStateStore store) {
            this.stateStore = Objects.requireNonNull(store, "stateStore");
            return this;
        }

        /** Saved state older than this is ignored when the breaker is created (default 1 h). */
        public Builder stateTtl(Duration ttl) {
            this.stateTtl = Objects.requireNonNull(ttl, "stateTtl");
            return this;
        }

        Duration resetTimeout() {
            return timeoutSecondsAlias != null && !resetTimeoutSet ? timeoutSecondsAlias : resetTimeout;
        }

        /**
         * Checks every field and returns the config.
         *
         * @throws IllegalArgumentException naming each field that is wrong, its rule and its value
         */
        public CircuitBreakerConfig build() {
            ConfigValidation.check(this);
            return new CircuitBreakerConfig(this);
        }
    }
}
