package io.breakwater.consumer;

import java.time.Duration;
import java.time.Instant;

/**
 * A {@link GatedConsumer} as it is now: a snapshot, safe to read on any thread. Counts are since the consumer was
 * built.
 *
 * @param name                 the consumer's name (by default its breaker's)
 * @param breaker              the name of the breaker that gates it
 * @param state                where the loop stands
 * @param assignedPartitions   partitions assigned to it at its last poll
 * @param pausedPartitions     partitions it holds paused because the breaker refuses (0 while it runs)
 * @param pausedSince          when the current pause began, or null while it runs
 * @param timePaused           the total time paused, the current pause included
 * @param pauses               how often it paused
 * @param recordsHandled       records its handler handled successfully (trial records included)
 * @param trialRecords         records handled as trial calls while the breaker was HALF_OPEN, whatever their outcome
 * @param recordsRedelivered   records fetched but not handled, sought back to be delivered again (after a pause, or
 *                             behind a failed record)
 * @param handlerFailures      handler calls that failed with an error that counts against the breaker; their
 *                             records are tried again
 * @param recordsFailed        records given to the failed-record handler, which took them
 * @param recordsDropped       records given up: ones the failed-record handler could not take in {@code maxAttempts}
 *                             tries, each logged at ERROR with its coordinates
 * @param commitFailures       offset commits that failed (the next commit carries the offsets again)
 */
public record ConsumerStats(
        String name,
        String breaker,
        State state,
        int assignedPartitions,
        int pausedPartitions,
        Instant pausedSince,
        Duration timePaused,
        long pauses,
        long recordsHandled,
        long trialRecords,
        long recordsRedelivered,
        long handlerFailures,
        long recordsFailed,
        long recordsDropped,
        long commitFailures) {

    /** Where a {@link GatedConsumer}'s loop stands. */
    public enum State {
        /** Built, not running yet. */
        NEW,
        /** Polling and handling records. */
        RUNNING,
        /** Polling with every assigned partition paused, because the breaker refuses. */
        PAUSED,
        /** Stopped by {@code close}: what was handled is committed and the Kafka consumer closed. */
        CLOSED,
        /** Stopped by an error the loop cannot handle (see {@link GatedConsumer#failure()}); what was handled is committed. */
        FAILED
    }

    /** Whether the loop holds its partitions paused now. */
    public boolean paused() {
        return state == State.PAUSED;
    }
}
