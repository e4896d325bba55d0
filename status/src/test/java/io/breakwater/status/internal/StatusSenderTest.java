package io.breakwater.status.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.status.StatusEvent;
import io.breakwater.status.StatusMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** One batch of status events: a record the client refuses for itself leaves the batch, and the others go on. */
class StatusSenderTest {

    private static StatusEvent forcedOpen(String breaker) {
        return new StatusEvent(StatusEvent.SCHEMA, breaker, "orders-1", CircuitBreakerState.CLOSED,
                CircuitBreakerState.FORCED_OPEN, Instant.parse("2026-12-04T10:00:00Z"), "forced", 0, 0, 0, 0, null, 1);
    }

    /** Fails the send of {@code key} at once with {@code failure}, as KafkaProducer does a record it cannot take. */
    private static MockProducer<String, byte[]> failing(String key, RuntimeException failure) {
        return new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
                if (record.key().equals(key)) {
                    return java.util.concurrent.CompletableFuture.failedFuture(failure);
                }
                return super.send(record, callback);
            }
        };
    }

    @Test
    void aRecordRefusedForItselfIsHandedBackAndTheRestOfTheBatchIsSent() throws Exception {
        MockProducer<String, byte[]> producer = failing("orders-1/big", new RecordTooLargeException("too large"));
        StatusSender sender = new StatusSender("status", producer);
        List<StatusMessage> sent = new ArrayList<>();
        List<StatusMessage> refused = new ArrayList<>();
        List<StatusMessage> batch = List.of(forcedOpen("big"), forcedOpen("orders"), forcedOpen("payments"));

        Throwable failure = sender.send(batch, System.nanoTime() + TimeUnit.SECONDS.toNanos(5), sent::add,
                (message, why) -> refused.add(message));

        assertThat(failure).isNull();
        assertThat(refused).extracting(StatusMessage::key).containsExactly("orders-1/big");
        assertThat(sent).extracting(StatusMessage::key).containsExactly("orders-1/orders", "orders-1/payments");
        assertThat(producer.history()).hasSize(2);
    }

    @Test
    void anotherImmediateFailureStopsTheBatchAndIsReturned() throws Exception {
        MockProducer<String, byte[]> producer = failing("orders-1/big", new TimeoutException("no metadata"));
        StatusSender sender = new StatusSender("status", producer);
        List<StatusMessage> sent = new ArrayList<>();
        List<StatusMessage> refused = new ArrayList<>();

        Throwable failure = sender.send(List.of(forcedOpen("big"), forcedOpen("orders")),
                System.nanoTime() + TimeUnit.SECONDS.toNanos(5), sent::add, (message, why) -> refused.add(message));

        assertThat(failure).hasRootCauseInstanceOf(TimeoutException.class);
        assertThat(refused).isEmpty();
        assertThat(sent).isEmpty();
        assertThat(producer.history()).as("the rest waits for the next round").isEmpty();
    }
}
