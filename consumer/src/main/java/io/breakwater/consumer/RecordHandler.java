package io.breakwater.consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Handles one record of a {@link GatedConsumer}, on the loop's thread, one record at a time and in offset order
 * per partition. Returning means the record is handled: its offset may be committed. Throwing means it is not:
 * whether the failure counts against the breaker decides what happens next (see {@link GatedConsumer}).
 */
@FunctionalInterface
public interface RecordHandler<K, V> {

    void handle(ConsumerRecord<K, V> record) throws Exception;
}
