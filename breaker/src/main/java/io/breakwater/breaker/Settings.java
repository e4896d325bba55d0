package io.breakwater.breaker;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * The settings of a {@link CircuitBreakerConfig} apart from its name. Breakers made from one config under many
 * names (a registry's, an EventBus's streams) share one instance instead of a copy each.
 */
final class Settings {

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
    // Judges failures by the two predicates above, for every breaker made from these settings.
    final FailurePredicate predicate;

    Settings(CircuitBreakerConfigBuilder b) {
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
        this.predicate = new FailurePredicate(recordFailure, ignoreFailure);
    }
}
