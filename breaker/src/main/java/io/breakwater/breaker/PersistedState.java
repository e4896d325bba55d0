package io.breakwater.breaker;

import java.time.Instant;
import java.util.Objects;

/**
 * A breaker's state as a {@link BreakerStateStore} keeps it.
 *
 * @param state     the state
 * @param since     when the breaker entered it
 * @param openUntil when an OPEN breaker admits trial calls; null to take {@code since} plus the restoring
 *                  breaker's reset timeout
 * @param reason    why it entered the state
 */
public record PersistedState(CircuitBreakerState state, Instant since, Instant openUntil, String reason) {

    public PersistedState {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        reason = reason == null ? "" : reason;
    }
}
