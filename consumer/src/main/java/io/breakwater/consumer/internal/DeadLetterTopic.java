package io.breakwater.consumer.internal;

import io.breakwater.breaker.GuardClosedException;
import io.breakwater.breaker.Throwables;
import io.breakwater.consumer.FailedRecordHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

/**
 * Sends failed records to a dead-letter topic and waits for each acknowledgement: a record counts as handled only
 * once it is on that topic. The original key, value and headers go as they are; headers say where the record came
 * from and why it failed. A producer closed before the consumer is a closed guard ({@link GuardClosedException}): the
 * consumer backs off and the record waits, rather than being dropped after {@code maxAttempts} failed hand-overs.
 */
public final class DeadLetterTopic<K, V> implements FailedRecordHandler<K, V> {

    /** Header names added to each dead letter. */
    public static final String TOPIC = "breakwater.dlt.topic";
    public static final String PARTITION = "breakwater.dlt.partition";
    public static final String OFFSET = "breakwater.dlt.offset";
    public static final String EXCEPTION = "breakwater.dlt.exception";

    private final Producer<K, V> producer;
    private final String topic;
    private final long timeoutNanos;

    public DeadLetterTopic(Producer<K, V> producer, String topic, Duration sendTimeout) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(sendTimeout, "sendTimeout");
        if (topic.isEmpty() || topic.length() > 249 || topic.equals(".") || topic.equals("..")
                || !topic.matches("[a-zA-Z0-9._-]+")) {
            throw new IllegalArgumentException("topic must be a Kafka topic name (1 to 249 of [a-zA-Z0-9._-], not '.' or '..'), "
                    + "but was '" + Throwables.sanitize(topic) + "'");
        }
        if (sendTimeout.isNegative() || sendTimeout.isZero() || sendTimeout.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("sendTimeout must be in (0, 1 day], but was " + sendTimeout);
        }
        this.timeoutNanos = sendTimeout.toNanos();
    }

    @Override
    public void handle(ConsumerRecord<K, V> record, Throwable failure) throws Exception {
        List<Header> headers = new ArrayList<>(List.of(record.headers().toArray()));
        headers.add(new Added(TOPIC, record.topic()));
        headers.add(new Added(PARTITION, Integer.toString(record.partition())));
        headers.add(new Added(OFFSET, Long.toString(record.offset())));
        headers.add(new Added(EXCEPTION, Throwables.describe(failure)));
        Future<RecordMetadata> sent;
        try {
            sent = producer.send(new ProducerRecord<>(topic, null, record.key(), record.value(), headers));
        } catch (RuntimeException e) {
            throw closed(e);
        }
        try {
            sent.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? closed(cause)
                    : e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            sent.cancel(false);
            throw new TimeoutException("dead letter of " + record.topic() + "-" + record.partition() + "@" + record.offset()
                    + " not acknowledged by " + topic + " within " + Duration.ofNanos(timeoutNanos));
        }
    }

    // What Kafka's producer answers once it is closed (the application stopping, the producer closed before the consumer):
    // a send after its close, one its close overtook, one its forced close aborted.
    private static final java.util.List<String> CLOSED = java.util.List.of("producer has been closed",
            "Producer closed while send in progress", "Producer is closed forcefully");

    /** A closed producer's answer as a closed guard, so that the record waits for the next run instead of being dropped. */
    private RuntimeException closed(RuntimeException e) {
        if (e.getMessage() == null || CLOSED.stream().noneMatch(e.getMessage()::contains)) {
            return e;
        }
        GuardClosedException closed = new GuardClosedException("the dead-letter producer of " + topic);
        closed.initCause(e);
        return closed;
    }

    /** A header this handler adds (Kafka's own header class lives in an internals package). */
    private record Added(String key, String text) implements Header {
        @Override
        public byte[] value() {
            return text.getBytes(StandardCharsets.UTF_8);
        }
    }

    @Override
    public String toString() {
        return "FailedRecordHandler.deadLetterTopic(" + topic + ")";
    }
}
