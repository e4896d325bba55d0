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

    /**
     * The future of a send the breaker refused: failed with the refusal. The send queue tells a refusal from any other
     * answer by it, as nothing queued behind a refused record may go ahead of it.
     */
    static final class Refused extends CompletableFuture<RecordMetadata> {
        Refused(RuntimeException e) {
            completeExceptionally(e);
        }
    }

    /** Refuses {@code record} with {@code e}. */
    public static Future<RecordMetadata> refuse(RuntimeException e, ProducerRecord<?, ?> record, Callback callback) {
        if (callback != null) {
            callback.onCompletion(failed(record.topic(), record.partition()), e);
        }
        return new Refused(e);
    }

    /** The metadata of a failed record of {@code topic} and {@code partition} (null: not chosen yet), as Kafka gives it. */
    static RecordMetadata failed(String topic, Integer partition) {
        TopicPartition tp = new TopicPartition(topic, partition == null ? RecordMetadata.UNKNOWN_PARTITION : partition);
        return new RecordMetadata(tp, -1, -1, -1L, -1, -1);
    }
}
