package io.breakwater.interceptors.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/** A send the breaker refused, answered as Kafka answers a failed send: the callback, then a failed future. */
public final class Refusals {

    private Refusals() {
    }

    /** Refuses {@code record} with {@code e}. */
    public static Future<RecordMetadata> refuse(RuntimeException e, ProducerRecord<?, ?> record, Callback callback) {
        if (callback != null) {
            TopicPartition tp = new TopicPartition(record.topic(),
                    record.partition() == null ? RecordMetadata.UNKNOWN_PARTITION : record.partition());
            callback.onCompletion(new RecordMetadata(tp, -1, -1, -1L, -1, -1), e);
        }
        return CompletableFuture.failedFuture(e);
    }
}
