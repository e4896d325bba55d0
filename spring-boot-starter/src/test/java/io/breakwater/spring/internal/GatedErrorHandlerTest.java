package io.breakwater.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.core.NestedRuntimeException;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.ListenerExecutionFailedException;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.serializer.DeserializationException;

/**
 * The starter's error handler, driven as the container drives it: each failed delivery of a record hands it the
 * record and those after it, and a record retried is sought back (the handler throws Spring Kafka's "record in
 * retry", so nothing is committed past it). The listener {@code orders} is gated by the breaker {@code db}, on a
 * {@link ManualClock}: two failures open it, and after its reset timeout the next delivery is its trial.
 */
class GatedErrorHandlerTest {

    private static final Duration RESET = Duration.ofSeconds(30);
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker db = CircuitBreaker.of(CircuitBreakerConfig.builder("db")
            .failureThreshold(2).resetTimeout(RESET).clock(clock).build());
    private final List<ConsumerRecord<?, ?>> recovered = new CopyOnWriteArrayList<>();
    private final GatedErrorHandler handler = new GatedErrorHandler((record, e) -> recovered.add(record),
            Map.of("orders", db));
    private final MockConsumer<String, String> consumer = new MockConsumer<>("earliest");
    private final MessageListenerContainer orders = container("orders");
    private final ConsumerRecord<String, String> record = new ConsumerRecord<>("orders", 0, 5L, "k", "v5");
    private final ConsumerRecord<String, String> next = new ConsumerRecord<>("orders", 0, 6L, "k", "v6");

    GatedErrorHandlerTest() {
        consumer.assign(List.of(TP));
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
    }

    private static MessageListenerContainer container(String id) {
        KafkaMessageListenerContainer<String, String> c = new KafkaMessageListenerContainer<>(
                new DefaultKafkaConsumerFactory<>(Map.of("bootstrap.servers", "127.0.0.1:1"), new StringDeserializer(),
                        new StringDeserializer()), new ContainerProperties("orders"));
        c.setBeanName(id);
        return c;
    }

    /** The listener's work: a write through the breaker, which fails while the database is down. */
    private Exception write(boolean databaseDown) {
        try {
            db.execute(() -> {
                if (databaseDown) {
                    throw new IllegalStateException("database down");
                }
                return null;
            });
            return null;
        } catch (RuntimeException e) {
            return new ListenerExecutionFailedException("Listener failed", e);
        }
    }

    /** One failed delivery of {@code record}: true when the handler retries it (sought back), false when recovered. */
    private boolean failedDelivery(Exception thrown, MessageListenerContainer container) {
        consumer.seek(TP, 7L); // where the poll left the consumer
        try {
            handler.handleRemaining(thrown, List.of(record, next), consumer, container);
        } catch (NestedRuntimeException e) {
            assertThat(e).hasMessage("Record in retry and not yet recovered");
            assertThat(consumer.position(TP)).as("sought back to the record").isEqualTo(5L);
            return true;
        }
        assertThat(consumer.position(TP)).as("sought to the record after it").isEqualTo(6L);
        return false;
    }

    /** A delivery during the outage: while the breaker is open the container is paused, until its reset timeout. */
    private boolean deliveryDuringOutage() {
        if (db.state() == CircuitBreakerState.OPEN) {
            clock.advance(RESET);
        }
        return failedDelivery(write(true), orders);
    }

    @Test
    void anOutageLongerThanTenDeliveriesOfBreakerCyclesSkipsNothing() {
        for (int delivery = 1; delivery <= 30; delivery++) {
            assertThat(deliveryDuringOutage()).as("delivery %d retried", delivery).isTrue();
        }
        assertThat(db.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(recovered).isEmpty();

        // The database is back: the trial goes through.
        clock.advance(RESET);
        assertThat(write(false)).isNull();
        assertThat(recovered).isEmpty();
    }

    @Test
    void anOutageSkipsNothingEvenBeforeABreakerThatNeedsMoreThanTenFailuresOpens() {
        CircuitBreaker patient = CircuitBreaker.of(CircuitBreakerConfig.builder("patient").failureThreshold(50)
                .resetTimeout(RESET).clock(clock).build());
        GatedErrorHandler gated = new GatedErrorHandler((r, e) -> recovered.add(r), Map.of("orders", patient));
        for (int delivery = 1; delivery <= 30; delivery++) {
            Exception thrown = new ListenerExecutionFailedException("Listener failed",
                    catching(() -> patient.execute(() -> {
                        throw new IllegalStateException("database down");
                    })));
            assertThatThrownBy(() -> gated.handleRemaining(thrown, List.of(record), consumer, orders))
                    .as("delivery %d retried", delivery).hasMessage("Record in retry and not yet recovered");
        }
        assertThat(patient.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(recovered).isEmpty();
    }

    private static RuntimeException catching(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("the call did not fail");
    }

    @Test
    void aRecordThatFailsEveryTrialIsRecoveredAfterAHundredDeliveriesInAll() {
        for (int delivery = 1; delivery < GatedErrorHandler.MAX_IN_ALL; delivery++) {
            assertThat(deliveryDuringOutage()).as("delivery %d retried", delivery).isTrue();
        }
        assertThat(recovered).isEmpty();
        assertThat(deliveryDuringOutage()).as("delivery 100").isFalse();
        assertThat(recovered).containsExactly(record);
    }

    @Test
    void aCallersErrorIsRecoveredAfterTenDeliveries() {
        // Thrown before the listener reaches the database: the breaker never sees it, nor moves.
        Exception thrown = new ListenerExecutionFailedException("Listener failed",
                new IllegalArgumentException("order without a customer"));
        for (int delivery = 1; delivery < GatedErrorHandler.MAX_IN_ROW; delivery++) {
            assertThat(failedDelivery(thrown, orders)).as("delivery %d retried", delivery).isTrue();
        }
        assertThat(failedDelivery(thrown, orders)).as("delivery 10").isFalse();
        assertThat(recovered).containsExactly(record);
        assertThat(db.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aRecordTheDatabaseRejectsWhileOthersSucceedIsRecoveredAfterTenDeliveries() {
        for (int delivery = 1; delivery < GatedErrorHandler.MAX_IN_ROW; delivery++) {
            assertThat(failedDelivery(write(true), orders)).as("delivery %d retried", delivery).isTrue();
            assertThat(write(false)).as("another partition's record").isNull();
        }
        assertThat(failedDelivery(write(true), orders)).as("delivery 10").isFalse();
        assertThat(recovered).containsExactly(record);
    }

    @Test
    void aRefusalNeverUsesUpADelivery() {
        db.forceOpen("maintenance");
        for (int delivery = 1; delivery <= 3 * GatedErrorHandler.MAX_IN_ALL; delivery++) {
            Exception thrown = write(true);
            assertThat(thrown).hasCauseInstanceOf(CircuitBreakerOpenException.class);
            assertThat(failedDelivery(thrown, orders)).as("delivery %d retried", delivery).isTrue();
        }
        assertThat(recovered).isEmpty();
    }

    @Test
    void aGuardClosedBeforeItsListenerNeverUsesUpADelivery() {
        // The application stopping, its guarded pool closed before the listener container: the record waits for the next
        // run, not the recoverer (a dead-letter topic, or a skip that loses it).
        Exception thrown = new ListenerExecutionFailedException("Listener failed", new java.sql.SQLNonTransientConnectionException(
                "The CircuitBreakerDataSource of breaker 'db' is closed", "08003",
                new io.breakwater.breaker.GuardClosedException("the CircuitBreakerDataSource of breaker 'db'")));
        for (int delivery = 1; delivery <= 3 * GatedErrorHandler.MAX_IN_ALL; delivery++) {
            assertThat(failedDelivery(thrown, orders)).as("delivery %d retried", delivery).isTrue();
        }
        assertThat(recovered).isEmpty();
    }

    @Test
    void aRefusalInAListenerWithoutAGateIsRetriedWithoutLimitToo() {
        db.forceOpen("maintenance");
        for (int delivery = 1; delivery <= 3 * GatedErrorHandler.MAX_IN_ROW; delivery++) {
            assertThat(failedDelivery(write(true), container("audit"))).as("delivery %d retried", delivery).isTrue();
        }
        assertThat(recovered).isEmpty();
    }

    @Test
    void aListenerWithoutAGateGetsSpringKafkasTenDeliveries() {
        MessageListenerContainer audit = container("audit");
        for (int delivery = 1; delivery < GatedErrorHandler.MAX_IN_ROW; delivery++) {
            assertThat(failedDelivery(new ListenerExecutionFailedException("Listener failed",
                    new IllegalStateException("database down")), audit)).as("delivery %d retried", delivery).isTrue();
        }
        assertThat(failedDelivery(new ListenerExecutionFailedException("Listener failed",
                new IllegalStateException("database down")), audit)).as("delivery 10").isFalse();
        assertThat(recovered).containsExactly(record);
    }

    @Test
    void aRecordThatCannotBeDeserializedIsRecoveredAtOnce() {
        Exception thrown = new ListenerExecutionFailedException("Listener failed",
                new DeserializationException("failed to deserialize", new byte[] {1}, false, new IllegalStateException()));
        assertThat(failedDelivery(thrown, orders)).isFalse();
        assertThat(recovered).containsExactly(record);
    }

    @Test
    void aFailureTheGatesBreakerIgnoresGoesSpringKafkasWay() {
        CircuitBreaker lenient = CircuitBreaker.of(CircuitBreakerConfig.builder("lenient").failureThreshold(2)
                .resetTimeout(RESET).clock(clock).ignoreFailure(e -> e instanceof IllegalStateException).build());
        GatedErrorHandler ignoring = new GatedErrorHandler((r, e) -> recovered.add(r), Map.of("orders", lenient));
        Exception thrown = new ListenerExecutionFailedException("Listener failed", new IllegalStateException("bad order"));
        for (int delivery = 1; delivery < GatedErrorHandler.MAX_IN_ROW; delivery++) {
            assertThatThrownBy(() -> ignoring.handleRemaining(thrown, List.of(record), consumer, orders))
                    .hasMessage("Record in retry and not yet recovered");
        }
        ignoring.handleRemaining(thrown, List.of(record), consumer, orders);
        assertThat(recovered).containsExactly(record);
    }

    @Test
    void withoutSeeksTheRecordIsKeptForAnotherDeliveryAsLongAsTheOutageLasts() {
        handler.setSeekAfterError(false);
        for (int delivery = 1; delivery <= 30; delivery++) {
            if (db.state() == CircuitBreakerState.OPEN) {
                clock.advance(RESET);
            }
            assertThat(handler.handleOne(write(true), record, consumer, orders)).as("delivery %d recovered", delivery)
                    .isFalse();
        }
        assertThat(recovered).isEmpty();
    }

    @Test
    void aRecovererThatThrowsGetsTheRecordAgainOnItsNextDelivery() {
        List<ConsumerRecord<?, ?>> tries = new CopyOnWriteArrayList<>();
        GatedErrorHandler failing = new GatedErrorHandler((r, e) -> {
            tries.add(r);
            throw new IllegalStateException("dead-letter topic away");
        }, Map.of("orders", db));
        Exception thrown = new ListenerExecutionFailedException("Listener failed", new IllegalArgumentException("bad"));
        for (int delivery = 1; delivery <= GatedErrorHandler.MAX_IN_ROW + 2; delivery++) {
            assertThatThrownBy(() -> failing.handleRemaining(thrown, List.of(record), consumer, orders))
                    .hasMessage("Record in retry and not yet recovered");
        }
        assertThat(tries).hasSize(3).containsOnly(record);
    }

    @Test
    void aGateWithoutABreakerIsRefusedNamingTheListener() {
        Map<String, CircuitBreaker> gates = new HashMap<>();
        gates.put("orders", null);
        assertThatThrownBy(() -> new GatedErrorHandler(null, gates)).isInstanceOf(NullPointerException.class)
                .hasMessage("gates[orders]");
        assertThatThrownBy(() -> new GatedErrorHandler(null, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("gates");
    }
}
