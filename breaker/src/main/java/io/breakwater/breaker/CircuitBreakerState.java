package io.breakwater.breaker;

/**
 * The states of a {@link CircuitBreaker}.
 *
 * <p>{@link #gaugeValue()} is the number exported by metrics ({@code circuit_breaker_state}); it is part
 * of the public contract and never changes for an existing state.
 */
public enum CircuitBreakerState {
    /** Calls pass; outcomes are counted. */
    CLOSED(0),
    /** Calls are rejected until the reset timeout elapses. */
    OPEN(1),
    /** A limited number of trial calls pass; their outcomes decide between CLOSED and OPEN. */
    HALF_OPEN(2),
    /** Opened by hand: every call is rejected until {@link CircuitBreaker#reset()}. */
    FORCED_OPEN(3),
    /** Switched off by hand: every call passes and nothing is counted until {@link CircuitBreaker#reset()}. */
    DISABLED(4);

    private final int gaugeValue;

    CircuitBreakerState(int gaugeValue) {
        this.gaugeValue = gaugeValue;
    }

    /** The metric value of this state: 0 CLOSED, 1 OPEN, 2 HALF_OPEN, 3 FORCED_OPEN, 4 DISABLED. */
    public int gaugeValue() {
        return gaugeValue;
    }

    /** Whether a breaker in this state rejects calls (OPEN or FORCED_OPEN). */
    public boolean rejectsCalls() {
        return this == OPEN || this == FORCED_OPEN;
    }
}
