package io.breakwater.interceptors;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A record sent through {@link CircuitBreakerProducer#sendDeferred} that is made only when it is handed to Kafka, and that hears
 * its own outcome: in non-blocking mode it waits in the send queue as it is (no entry, no future besides it), and is made
 * on the sender thread as it leaves. For a sender that keeps the record's parts anyway (its payload, its key, what its
 * headers are made of) and its own bookkeeping per record: a queue of these holds nothing more.
 *
 * <p>{@link #veto()} runs first, just before the hand-over (the record's gate), then {@link #make()}, then the breaker's
 * permit is asked for. Neither runs for a record refused before it was queued (the breaker OPEN, the queue full) or
 * failed while it waited (the breaker opened, the producer closed). {@link #onCompletion} hears the outcome on every
 * path: the broker's answer, a refusal, a veto, a full or closed queue, what {@link #veto()}, {@link #make()} or
 * Kafka's {@code send()} threw. It may be called twice for one record (a producer that both reports a failure and
 * throws it): the first call is the outcome. It must not throw; it may run on the caller's thread (a refusal; any
 * outcome in blocking mode), the sender thread, Kafka's network thread, the thread that drains the queue when the
 * breaker opens, or the one that closes the producer.
 *
 * <p>The queue tells records apart by identity, whatever {@code equals} says: a record may be a value class. Send each
 * one once.
 */
public interface DeferredRecord<K, V> extends Callback {

    /** The topic of the record, known before it is made: a refusal before it is made names it. */
    String topic();

    /**
     * Just before the record is made and handed to Kafka: null to go ahead, or the exception that fails the record
     * instead, through {@link #onCompletion} (as a gate does).
     */
    RuntimeException veto();

    /**
     * The record, made now, after {@link #veto()} let it go; never null. What this throws fails the record, as what
     * Kafka's {@code send()} throws does.
     */
    ProducerRecord<K, V> make();
}
