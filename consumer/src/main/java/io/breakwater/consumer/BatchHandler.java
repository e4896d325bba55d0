package io.breakwater.consumer;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Handles a batch of records of a {@link GatedConsumer} at once (for example one multi-row insert), on the loop's
 * thread. The list holds the records of one poll, each partition's in offset order, and is never empty. Returning
 * means every record is handled; throwing means none is: the loop then tries the same records one at a time
 * (each as a batch of one), so that one bad record cannot hold back the others (see {@link GatedConsumer}).
 */
@FunctionalInterface
public interface BatchHandler<K, V> {

    void handle(List<ConsumerRecord<K, V>> records) throws Exception;
}
