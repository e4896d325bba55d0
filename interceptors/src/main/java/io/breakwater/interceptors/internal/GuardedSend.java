package io.breakwater.interceptors.internal;

import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** A send queue's guarded send: blocking, it answers through the callback ({@link Refusals#refuse}'s future: refused). */
public interface GuardedSend<K, V> {

    Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback);

    /** The producer it sends with, whose network thread must never wait for the queue's sender; null: none known. */
    default Producer<?, ?> producer() {
        return null;
    }
}
