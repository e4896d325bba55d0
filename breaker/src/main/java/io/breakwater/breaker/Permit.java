package io.breakwater.breaker;

/**
 * Leave to make one call, from {@link CircuitBreaker#tryAcquirePermit()}. Report the call's outcome with
 * the permit ({@link CircuitBreaker#recordSuccess(Permit, long)}, {@link CircuitBreaker#recordFailure(Permit,
 * Throwable, long)}, {@link CircuitBreaker#recordIgnored(Permit)}), or give it back unused with
 * {@link CircuitBreaker#releasePermit(Permit)}.
 *
 * <p>A permit remembers the period (state and generation) that granted it. An outcome reported with a
 * permit from an earlier period, such as the late answer of a call made before the breaker opened, counts
 * in the lifetime statistics but never decides a trial, never closes or opens the breaker, and never
 * frees a trial permit it did not hold. In CLOSED every call shares one permit object, so asking costs no
 * allocation.
 */
public final class Permit {

    static final int NO_SLOT = -1;

    final Phase phase;
    // The trial slot this permit holds in HALF_OPEN, or NO_SLOT.
    final int slot;

    Permit(Phase phase, int slot) {
        this.phase = phase;
        this.slot = slot;
    }

    /** Whether this is a trial permit of HALF_OPEN. */
    public boolean isTrial() {
        return slot != NO_SLOT;
    }

    /** The state that granted this permit. */
    public CircuitBreakerState grantedIn() {
        return phase.state;
    }

    @Override
    public String toString() {
        return "Permit[" + phase.state + " #" + phase.sequence + (slot == NO_SLOT ? "" : ", trial " + (slot + 1)) + "]";
    }
}
