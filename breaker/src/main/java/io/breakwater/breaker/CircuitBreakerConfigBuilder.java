package io.breakwater.breaker;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Collects the values of a {@link CircuitBreakerConfig}; checks them all at {@link #build()}. Not
 * thread-safe; the built config keeps no link to the builder.
 */
public final class CircuitBreakerConfigBuilder {
    String name;
    int failureThreshold = 5;
    int successThreshold = 3;
    Duration resetTimeout = Duration.ofSeconds(30);
    Duration timeoutSecondsAlias;
    boolean resetTimeoutSet;
    int halfOpenMaxCalls = 3;
    Duration halfOpenMaxWait;
    // Boxed: null means "not set", so that an explicit 0 or NaN is reported, never taken for "off".
    Integer windowSize;
    Duration windowDuration;
    Integer minimumCalls;
    Double failureRateThreshold;
    Double slowCallRateThreshold;
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
    Duration stateRestoreWait = Duration.ofMillis(500);

    CircuitBreakerConfigBuilder(String name) {
        this.name = name;
    }

    CircuitBreakerConfigBuilder(CircuitBreakerConfig c) {
        this.name = c.name;
        this.failureThreshold = c.s.failureThreshold;
        this.successThreshold = c.s.successThreshold;
        this.resetTimeout = c.s.resetTimeout;
        this.resetTimeoutSet = true;
        this.halfOpenMaxCalls = c.s.halfOpenMaxCalls;
        this.halfOpenMaxWait = c.s.halfOpenMaxWait;
        this.windowSize = c.s.windowSize > 0 ? c.s.windowSize : null;
        this.windowDuration = c.s.windowDuration;
        this.minimumCalls = c.s.minimumCalls > 0 ? c.s.minimumCalls : null;
        this.failureRateThreshold = Double.isNaN(c.s.failureRateThreshold) ? null : c.s.failureRateThreshold;
        this.slowCallRateThreshold = Double.isNaN(c.s.slowCallRateThreshold) ? null : c.s.slowCallRateThreshold;
        this.slowCallDuration = c.s.slowCallDuration;
        this.backoffMultiplier = c.s.backoffMultiplier;
        this.maxResetTimeout = c.s.maxResetTimeout;
        this.jitter = c.s.jitter;
        this.recordFailure = c.s.recordFailure;
        this.ignoreFailure = c.s.ignoreFailure;
        this.writableStackTrace = c.s.writableStackTrace;
        this.clock = c.s.clock;
        this.stateStore = c.s.stateStore;
        this.stateTtl = c.s.stateTtl;
        this.stateRestoreWait = c.s.stateRestoreWait;
    }

    public CircuitBreakerConfigBuilder name(String name) {
        this.name = name;
        return this;
    }

    public CircuitBreakerConfigBuilder failureThreshold(int failures) {
        this.failureThreshold = failures;
        return this;
    }

    public CircuitBreakerConfigBuilder successThreshold(int successes) {
        this.successThreshold = successes;
        return this;
    }

    public CircuitBreakerConfigBuilder resetTimeout(Duration timeout) {
        this.resetTimeout = Objects.requireNonNull(timeout, "resetTimeout");
        this.resetTimeoutSet = true;
        return this;
    }

    /** Alias of {@link #resetTimeout(Duration)} in whole seconds, as in the original guide. */
    public CircuitBreakerConfigBuilder timeoutSeconds(long seconds) {
        this.timeoutSecondsAlias = Duration.ofSeconds(seconds);
        return this;
    }

    public CircuitBreakerConfigBuilder halfOpenMaxCalls(int calls) {
        this.halfOpenMaxCalls = calls;
        return this;
    }

    /** Defaults to the reset timeout. */
    public CircuitBreakerConfigBuilder halfOpenMaxWait(Duration wait) {
        this.halfOpenMaxWait = Objects.requireNonNull(wait, "halfOpenMaxWait");
        return this;
    }

    /** A sliding window over the last {@code calls} calls. Excludes {@link #windowDuration(Duration)}. */
    public CircuitBreakerConfigBuilder windowSize(int calls) {
        this.windowSize = calls;
        return this;
    }

    /** A sliding window over the last {@code duration}, in whole seconds. Excludes {@link #windowSize(int)}. */
    public CircuitBreakerConfigBuilder windowDuration(Duration duration) {
        this.windowDuration = Objects.requireNonNull(duration, "windowDuration");
        return this;
    }

    /** Defaults to 10, or the window size if that is smaller. */
    public CircuitBreakerConfigBuilder minimumCalls(int calls) {
        this.minimumCalls = calls;
        return this;
    }

    public CircuitBreakerConfigBuilder failureRateThreshold(double rate) {
        this.failureRateThreshold = rate;
        return this;
    }

    public CircuitBreakerConfigBuilder slowCallRateThreshold(double rate) {
        this.slowCallRateThreshold = rate;
        return this;
    }

    public CircuitBreakerConfigBuilder slowCallDuration(Duration duration) {
        this.slowCallDuration = Objects.requireNonNull(duration, "slowCallDuration");
        return this;
    }

    /** Each re-open from HALF_OPEN multiplies the wait; {@code max} caps it. */
    public CircuitBreakerConfigBuilder exponentialBackoff(double multiplier, Duration max) {
        this.backoffMultiplier = multiplier;
        this.maxResetTimeout = Objects.requireNonNull(max, "maxResetTimeout");
        return this;
    }

    /** Spreads each wait uniformly over {@code wait × [1 − jitter, 1 + jitter]}; {@code jitter} in [0, 1). */
    public CircuitBreakerConfigBuilder jitter(double jitter) {
        this.jitter = jitter;
        return this;
    }

    /** Which throwables count as failures (default: all). Others are counted as ignored. */
    public CircuitBreakerConfigBuilder recordFailure(Predicate<Throwable> predicate) {
        this.recordFailure = Objects.requireNonNull(predicate, "recordFailure");
        return this;
    }

    /** Throwables that never count as failures, whatever {@link #recordFailure(Predicate)} says. */
    public CircuitBreakerConfigBuilder ignoreFailure(Predicate<Throwable> predicate) {
        this.ignoreFailure = Objects.requireNonNull(predicate, "ignoreFailure");
        return this;
    }

    /** Shorthand: throwables of these classes (or subclasses) are ignored. */
    @SafeVarargs
    public final CircuitBreakerConfigBuilder ignoreExceptions(Class<? extends Throwable>... types) {
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

    public CircuitBreakerConfigBuilder writableStackTrace(boolean writable) {
        this.writableStackTrace = writable;
        return this;
    }

    public CircuitBreakerConfigBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** Keeps the breaker's state in {@code store}: loaded when the breaker is created, saved on each transition. */
    public CircuitBreakerConfigBuilder stateStore(BreakerStateStore store) {
        this.stateStore = Objects.requireNonNull(store, "stateStore");
        return this;
    }

    /**
     * How long creating the breaker waits for its store (default 500 ms); a later answer is applied when it
     * comes, unless the breaker has moved meanwhile.
     */
    public CircuitBreakerConfigBuilder stateRestoreWait(Duration wait) {
        this.stateRestoreWait = Objects.requireNonNull(wait, "stateRestoreWait");
        return this;
    }

    /** Saved state older than this is ignored when the breaker is created (default 1 h). */
    public CircuitBreakerConfigBuilder stateTtl(Duration ttl) {
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
