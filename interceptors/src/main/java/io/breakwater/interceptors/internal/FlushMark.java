package io.breakwater.interceptors.internal;

import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A flush's place in a {@link SendQueue}, let go by whoever takes it from the queue (the sender, a drain, close): by then
 * every entry queued before it was taken. It waits in the queue as a callback, as the records do.
 */
final class FlushMark extends CountDownLatch implements Callback {

    FlushMark() {
        super(1);
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
        countDown();
    }
}
