package io.breakwater.status;

import java.time.Instant;

/**
 * A record of the status topic: what one breaker does ({@link StatusEvent}, keyed {@code {instance}/{breaker}}) or
 * that an instance is alive or gone ({@link InstanceEvent}, keyed {@code {instance}}). Immutable.
 */
public sealed interface StatusMessage permits StatusEvent, InstanceEvent {

    /** The JSON layout version: 1 (transitions only) or 2. */
    int schema();

    /** The application instance it comes from. */
    String instance();

    /** When it happened. */
    Instant at();

    /** Per key: breaker events count the breaker's transitions, instance events the instance's heartbeats. */
    long sequence();

    /** The record key. */
    String key();

    /**
     * Whether this message is news to a reader that holds {@code held} for the same key: it is, unless it is
     * older in both sequence and time. So a duplicate (the same transition published twice) or a replay of
     * an older event never takes a key back, while a restarted instance, whose breakers count their
     * transitions from 1 again but later, is taken at its word.
     */
    default boolean isNewerThan(StatusMessage held) {
        return held == null || sequence() > held.sequence() || at().isAfter(held.at());
    }
}
