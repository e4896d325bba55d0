package io.breakwater.interceptors.internal;

import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A flush's place in a {@link SendQueue}, let go once every entry queued before it was handed over or failed ({@link
 * FlushMarks}). It waits in the queue as a callback, as the records do, past the queue's capacity.
 */
final class FlushMark extends CountDownLatch implements Callback, HandOff.PastCapacity {

    // Why the flush cannot say that every record before it is done (close gave up on a sender stuck in send()); null: it can.
    private volatile org.apache.kafka.common.KafkaException failure;

    FlushMark() {
        super(1);
    }

    /** Lets the flush go; with {@code failure} (may be null), which it throws: a record before it may not be done. */
    void letGo(org.apache.kafka.common.KafkaException failure) {
        this.failure = failure;
        countDown();
    }

    /** The failure it was let go with, or null. */
    org.apache.kafka.common.KafkaException failure() {
        return failure;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
        countDown();
    }
}
