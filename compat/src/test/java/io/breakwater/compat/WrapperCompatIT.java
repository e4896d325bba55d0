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
import java.util.concurrent.atomic.AtomicInteger;
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
        String refusedValue;
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

            // A send that meets the breaker OPEN is refused at once. With a 1 s reset the breaker may be HALF_OPEN when
            // this thread gets to send (it lost its core, say): that send is a trial, goes to the frozen broker unanswered
            // and opens the breaker again. So sends are tried until one meets it OPEN; each carries a value of its own.
            AtomicInteger attempts = new AtomicInteger();
            Attempt refused = within(5).until(() -> {
                Attempt attempt = new Attempt("refused-" + attempts.incrementAndGet(), new AtomicReference<>());
                attempt.sent = producer.send(new ProducerRecord<>(topic, "k", attempt.value), (m, e) -> attempt.told.set(e));
                return attempt;
            }, attempt -> attempt.sent.isDone());
            refusedValue = refused.value;
            assertThatThrownBy(refused.sent::get).hasCauseInstanceOf(CircuitBreakerOpenException.class);
            assertThat(refused.told.get()).isInstanceOf(CircuitBreakerOpenException.class);

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
        assertThat(values).contains("before", "closed").doesNotContain(refusedValue);
    }

    /** One send tried while the breaker should be OPEN: its value, its future, what its callback was told. */
    private static final class Attempt {
        final String value;
        final AtomicReference<Exception> told;
        volatile Future<RecordMetadata> sent;

        Attempt(String value, AtomicReference<Exception> told) {
            this.value = value;
            this.told = told;
        }
    }
}
