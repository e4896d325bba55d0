package io.breakwater.eventbus;

/**
 * Where a published event went.
 *
 * @param topic     the topic
 * @param partition the partition, or -1 when the event was spilled or a fallback took it
 * @param offset    the offset, or -1 when the event was spilled or a fallback took it, or sent with {@code acks=0}
 * @param timestamp the record's timestamp, or -1
 * @param spilled   whether the event is durable in the bus's spill, to be sent when the stream is back
 * @param eventId   the event's {@value EventBus#EVENT_ID_HEADER} header, by which consumers drop duplicates;
 *                  null when a fallback took the event
 */
public record PublishResult(String topic, int partition, long offset, long timestamp, boolean spilled, String eventId) {

    /** An acknowledged event, without its id. */
    public PublishResult(String topic, int partition, long offset, long timestamp) {
        this(topic, partition, offset, timestamp, false, null);
    }

    /** A result for an event that a fallback took instead of the broker (a local spill, say). */
    public static PublishResult viaFallback(String where) {
        return new PublishResult(where, -1, -1, -1);
    }

    /** A result for an event appended, durably, to the bus's spill. */
    public static PublishResult spilled(String topic, String eventId) {
        return new PublishResult(topic, -1, -1, -1, true, eventId);
    }

    /**
     * Whether the producer sent the event, as Kafka answered it (false when it was spilled or a fallback took it). With
     * {@code acks=0} Kafka gives no offset (-1): the event is sent, to its partition, without the broker's word.
     */
    public boolean acknowledged() {
        return !spilled && partition >= 0;
    }
}
