package io.breakwater.eventbus;

/**
 * Where a published event went.
 *
 * @param topic     the topic
 * @param partition the partition, or -1 when a fallback took the event
 * @param offset    the offset, or -1 when a fallback took the event
 * @param timestamp the record's timestamp, or -1
 */
public record PublishResult(String topic, int partition, long offset, long timestamp) {

    /** A result for an event that a fallback took instead of the broker (a local spill, say). */
    public static PublishResult viaFallback(String where) {
        return new PublishResult(where, -1, -1, -1);
    }

    /** Whether the broker acknowledged the event (false when a fallback took it). */
    public boolean acknowledged() {
        return offset >= 0;
    }
}
