package io.breakwater.breaker;

import java.time.Instant;
import java.util.Objects;

/**
 * One change of state of one breaker, as its listeners see it.
 *
 * @param breaker       the breaker's name
 * @param from          the state left
 * @param to            the state entered
 * @param at            when, by the breaker's clock
 * @param reason        a sentence for humans: why the breaker moved
 * @param sequence      1 for the breaker's first transition, then +1 each time; listeners see them in order
 * @param failureRate   the failure rate of the period that ended, in [0, 1]
 * @param slowCallRate  the slow-call rate of the period that ended, in [0, 1]
 * @param failureCount  failures counted in the period that ended (window, consecutive, or trials)
 * @param successCount  successes counted in the period that ended
 * @param lastError     the breaker's last recorded failure ("Class: message"), or null if none yet
 */
public record StateTransition(
        String breaker,
        CircuitBreakerState from,
        CircuitBreakerState to,
        Instant at,
        String reason,
        long sequence,
        double failureRate,
        double slowCallRate,
        int failureCount,
        int successCount,
        String lastError) {

    public StateTransition {
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return "'" + breaker + "' " + from + " -> " + to + " #" + sequence + " at " + at + ": " + reason;
    }
}
