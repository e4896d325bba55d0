package io.breakwater.interceptors;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A record sent through a {@link CircuitBreakerProducer} that is made only when it is handed to Kafka: in non-blocking
 * mode, on the sender thread as it leaves the send queue. For a sender that keeps the record's parts anyway (its
 * payload, its key, what its headers are made of): a queue of these holds nothing more, rather than a
 * {@code ProducerRecord}, its headers and their list as well for every record waiting.
 *
 * <p>{@link #veto()} runs first, just before the hand-over (the record's gate), then {@link #make()}. Neither runs for
 * a record the breaker refuses, or one failed while it waited in the queue.
 */
public interface DeferredRecord<K, V> {

    /** The topic of the record, known before it is made: a refusal before it is made names it. */
    String topic();

    /**
     * Just before the record is made and handed to Kafka: null to go ahead, or the exception that fails the record
     * instead, through its callback (as a gate does).
     */
    RuntimeException veto();

    /**
     * The record, made now, after {@link #veto()} let it go. What this throws fails the record, as what Kafka's
     * {@code send()} throws does.
     */
    ProducerRecord<K, V> make();
}
