package io.breakwater.compat;

import static io.breakwater.compat.Clients.newTopic;
import static io.breakwater.compat.Clients.opens;
import static io.breakwater.compat.Clients.producerConfig;
import static io.breakwater.compat.Clients.unique;
import static io.breakwater.compat.Clients.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.testkit.ForkedKafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The wrapping producer over this release's KafkaProducer: sends, opens on a frozen broker, refuses at once, closes again. */
@ExtendWith(CompatBroker.class)
class WrapperCompatIT {

    @Test
    void sendsThenRefusesAtOnceWhileTheFrozenBrokerKeepsItOpenThenClosesAfterResume(ForkedKafkaBroker broker) throws Exception {
        String bootstrap = broker.bootstrapServers();
        String topic = newTopic(bootstrap, "compat-wrapper");
        Map<String, Object> config = producerConfig(bootstrap, unique("compat-wrapper"));
        try (CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.wrap(new KafkaProducer<>(config), config)) {
            CircuitBreaker breaker = producer.breaker();
            producer.send(new ProducerRecord<>(topic, "k", "before")).get(30, TimeUnit.SECONDS);

            BooleanSupplier opened = opens(breaker);
            broker.freeze();
            long frozenAt = System.nanoTime();
            within(10).untilAsserted(() -> {
                producer.send(new ProducerRecord<>(topic, "k", "frozen"));
                assertThat(opened.getAsBoolean()).as("opened; %s", breaker.snapshot()).isTrue();
            });
            Duration toOpen = Duration.ofNanos(System.nanoTime() - frozenAt);

            // OPEN, not HALF_OPEN with a trial free: a trial sent now goes unanswered and opens the breaker again.
            within(5).until(() -> breaker.state() == CircuitBreakerState.OPEN
                    || producer.send(new ProducerRecord<>(topic, "k", "frozen")) == null);
            AtomicReference<Exception> told = new AtomicReference<>();
            Future<RecordMetadata> refused = producer.send(new ProducerRecord<>(topic, "k", "refused"), (m, e) -> told.set(e));
            assertThat(refused.isDone()).as("refused without waiting").isTrue();
            assertThatThrownBy(refused::get).hasCauseInstanceOf(CircuitBreakerOpenException.class);
            assertThat(told.get()).isInstanceOf(CircuitBreakerOpenException.class);

            broker.resume();
            within(20).until(() -> {
                producer.send(new ProducerRecord<>(topic, "k", "after"));
                return breaker.state() == CircuitBreakerState.CLOSED;
            });
            producer.send(new ProducerRecord<>(topic, "k", "closed")).get(30, TimeUnit.SECONDS);
            System.out.printf("compat %s: the wrapper opened %d ms after the freeze%n", ClientVersionIT.UNDER_TEST, toOpen.toMillis());
        }
        List<String> values = Clients.consume(bootstrap, topic, false,
                        records -> records.stream().anyMatch(r -> r.value().equals("closed")))
                .stream().map(ConsumerRecord::value).toList();
        assertThat(values).contains("before", "closed").doesNotContain("refused");
    }
}
