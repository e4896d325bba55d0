package io.breakwater.breaker;

import java.time.Instant;
import java.util.Objects;

/**
 * A breaker's state as a {@link BreakerStateStore} keeps it.
 *
 * @param state     the state
 * @param since     when the breaker entered it
 * @param openUntil   when an OPEN breaker admits trial calls; null to take {@code since} plus the restoring
 *                    breaker's wait after {@code reopenCount} re-opens (its reset timeout, with backoff)
 * @param reason      why it entered the state
 * @param reopenCount of an OPEN or HALF_OPEN breaker, how many times in a row it re-opened from HALF_OPEN: its
 *                    backoff level, from which its next wait grows ({@code backoffMultiplier}); 0 otherwise
 */
public record PersistedState(CircuitBreakerState state, Instant since, Instant openUntil, String reason, int reopenCount) {

    public PersistedState {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        reason = reason == null ? "" : reason;
        if (reopenCount < 0) {
            throw new IllegalArgumentException("reopenCount must be >= 0, but was " + reopenCount);
        }
    }

    /** A state without re-opens (backoff level 0). */
    public PersistedState(CircuitBreakerState state, Instant since, Instant openUntil, String reason) {
        this(state, since, openUntil, reason, 0);
    }
}
