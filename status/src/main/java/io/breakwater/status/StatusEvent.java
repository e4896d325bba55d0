package io.breakwater.status;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.StateTransition;
import java.time.Instant;
import java.util.Objects;

/**
 * One breaker transition as it goes to the status topic, keyed {@code {instance}/{breaker}}. The JSON
 * form (see {@link StatusEventCodec}) is documented by {@code status-event.schema.json}.
 *
 * @param schema       the JSON layout version, {@value #SCHEMA}
 * @param breaker      the breaker's name
 * @param instance     the application instance that owns the breaker
 * @param from         the state left
 * @param to           the state entered
 * @param at           when
 * @param reason       why, as a sentence
 * @param failureRate  failure rate of the period that ended, in [0, 1]
 * @param slowCallRate slow-call rate of the period that ended, in [0, 1]
 * @param failureCount failures of the period that ended
 * @param successCount successes of the period that ended
 * @param lastError    the breaker's last failure ("Class: message", truncated, secrets masked), or null
 * @param sequence     per breaker and instance, 1 for its first transition, then +1 each time
 */
public record StatusEvent(
        int schema,
        String breaker,
        String instance,
        CircuitBreakerState from,
        CircuitBreakerState to,
        Instant at,
        String reason,
        double failureRate,
        double slowCallRate,
        int failureCount,
        int successCount,
        String lastError,
        long sequence) {

    /** The current JSON layout version. */
    public static final int SCHEMA = 1;

    public StatusEvent {
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(reason, "reason");
        if (schema != SCHEMA) {
            throw new IllegalArgumentException("schema must be " + SCHEMA + ", but was " + schema);
        }
        rate("failureRate", failureRate);
        rate("slowCallRate", slowCallRate);
        if (failureCount < 0 || successCount < 0 || sequence < 0) {
            throw new IllegalArgumentException("failureCount, successCount and sequence must be >= 0, but were "
                    + failureCount + ", " + successCount + " and " + sequence);
        }
    }

    private static void rate(String field, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(field + " must be in [0, 1], but was " + value);
        }
    }

    /** The event of {@code transition} of a breaker of {@code instance}. */
    public static StatusEvent of(String instance, StateTransition transition) {
        return new StatusEvent(SCHEMA, transition.breaker(), instance, transition.from(), transition.to(),
                transition.at(), transition.reason(), transition.failureRate(), transition.slowCallRate(),
                transition.failureCount(), transition.successCount(), transition.lastError(), transition.sequence());
    }

    /**
     * Whether this event is news to a reader that holds {@code held} for the same key: it is, unless it is
     * older in both sequence and time. So a duplicate (the same transition published twice) or a replay of
     * an older event never takes a key back, while a restarted instance, whose breakers count their
     * transitions from 1 again but later, is taken at its word.
     */
    public boolean isNewerThan(StatusEvent held) {
        return held == null || sequence > held.sequence || at.isAfter(held.at);
    }

    /** The record key: {@code {instance}/{breaker}}. */
    public String key() {
        return key(instance, breaker);
    }

    /** The record key of {@code breaker} of {@code instance}. */
    public static String key(String instance, String breaker) {
        return instance + "/" + breaker;
    }
}
