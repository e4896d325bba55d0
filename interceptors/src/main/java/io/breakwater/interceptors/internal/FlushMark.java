package io.breakwater.interceptors.internal;

import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A flush's place in a {@link SendQueue}, let go once every entry queued before it was handed over or failed ({@link
 * FlushMarks}). It waits in the queue as a callback, as the records do, past the queue's capacity.
 */
final class FlushMark extends CountDownLatch implements Callback, HandOff.PastCapacity {

    FlushMark() {
        super(1);
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
        countDown();
    }
}
