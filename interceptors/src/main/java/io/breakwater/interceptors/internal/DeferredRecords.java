package io.breakwater.interceptors.internal;

import io.breakwater.interceptors.DeferredRecord;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/** What the producer does with a {@link DeferredRecord} on every path: makes its record, or tells it how it failed. */
public final class DeferredRecords {

    private DeferredRecords() {
    }

    /**
     * The record {@code deferred} makes now.
     *
     * @throws NullPointerException naming the record's topic when {@code make()} returned null
     */
    public static <K, V> ProducerRecord<K, V> made(DeferredRecord<K, V> deferred) {
        return Objects.requireNonNull(deferred.make(),
                () -> "DeferredRecord.make() returned null (a record of topic '" + deferred.topic() + "')");
    }

    /** Tells {@code deferred} it failed with {@code failure} (an {@code Error} wrapped in a {@code KafkaException}). */
    public static void failed(DeferredRecord<?, ?> deferred, Throwable failure) {
        deferred.onCompletion(Refusals.failed(deferred.topic(), null),
                failure instanceof Exception e ? e : new KafkaException(failure));
    }
}
