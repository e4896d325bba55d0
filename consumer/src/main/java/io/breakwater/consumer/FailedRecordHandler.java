package io.breakwater.consumer;

import io.breakwater.consumer.internal.DeadLetterTopic;
import io.breakwater.consumer.internal.LoggedFailures;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;

/**
 * Takes a record that its handler cannot handle for its own sake: one that failed with an error the breaker does
 * not count (a caller's error: bad data, a constraint violated), or one that failed {@code maxAttempts} times in
 * a row while the breaker kept admitting calls (a poison record). Once this returns, the record counts as handled
 * and its offset may be committed. If it throws, the record is tried again from the start, at most
 * {@code maxAttempts} times in all; then it is logged at ERROR with its coordinates and counted as dropped. If it is
 * refused (a breaker of its own open, a dead-letter producer closed: a {@code CircuitBreakerOpenException} or
 * {@code GuardClosedException}, or one caused by either), that is no try: after {@code retryBackoff} the record comes
 * to this handler again, not to its own handler, and from then on it is only this handler's to take.
 * Runs on the loop's thread.
 */
@FunctionalInterface
public interface FailedRecordHandler<K, V> {

    void handle(ConsumerRecord<K, V> record, Throwable failure) throws Exception;

    /**
     * Logs each record's coordinates (topic, partition, offset; never its key or value) and its failure at WARN,
     * then moves on. The default.
     */
    static <K, V> FailedRecordHandler<K, V> logging() {
        return LoggedFailures.instance();
    }

    /**
     * Sends each record to {@code topic} through {@code producer} (its key, value and headers, plus headers
     * {@code breakwater.dlt.topic}, {@code .partition}, {@code .offset} and {@code .exception}, the failure with
     * secrets masked), and waits for the acknowledgement at most {@code sendTimeout}: only an acknowledged record
     * counts as handled. The producer serializes the consumer's key and value types (to forward the bytes as they
     * came, consume with {@code ByteArrayDeserializer}s and give a {@code Producer<byte[], byte[]>}). The producer
     * stays yours: close it after the consumer.
     *
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when {@code topic} is not a legal topic name or {@code sendTimeout} is not positive
     */
    static <K, V> FailedRecordHandler<K, V> deadLetterTopic(Producer<K, V> producer, String topic, Duration sendTimeout) {
        return new DeadLetterTopic<>(producer, topic, sendTimeout);
    }
}
