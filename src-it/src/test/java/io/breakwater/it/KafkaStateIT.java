package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.status.StatusReader;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The interceptor restores its breaker from the status topic when the application starts again. */
@RealBroker
class KafkaStateIT {

    private static Map<String, Object> props(TestBroker broker, String name, String topic, long ttlMillis) {
        Map<String, Object> props = new HashMap<>(Records.producerConfig(broker.bootstrapServers()));
        props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
        props.put("breakwater.breaker.name", name);
        props.put("breakwater.instance.id", "restart-it");
        props.put("breakwater.status.topic", topic);
        props.put("breakwater.reset.timeout.ms", "60000");
        props.put("breakwater.state.ttl.ms", Long.toString(ttlMillis));
        return props;
    }

    @Test
    void anOpenBreakerIsOpenAgainAfterARestartAndClosedAfterTheTtl(TestBroker broker) throws Exception {
        String name = "restart-" + UUID.randomUUID();
        String topic = "state-" + UUID.randomUUID();
        Instant openedAt;
        try (KafkaProducer<String, String> first = new KafkaProducer<>(props(broker, name, topic, 3_600_000))) {
            first.send(new ProducerRecord<>("restarts", "k", "v")).get();
            CircuitBreaker breaker = CircuitBreakerRegistry.global().get(name).orElseThrow();
            for (int i = 0; i < 5; i++) {
                breaker.recordFailure("broker unreachable");
            }
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
            openedAt = breaker.snapshot().since();
        } // close() flushes the status event
        try (StatusReader reader = StatusReader.start(Map.of("bootstrap.servers", broker.bootstrapServers()), topic)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.fleet().containsKey("restart-it/" + name));
        }

        // New JVM objects, the same instance id.
        CircuitBreakerRegistry.global().remove(name);
        try (KafkaProducer<String, String> second = new KafkaProducer<>(props(broker, name, topic, 3_600_000));
             CircuitBreakerProducer<String, String> guarded = CircuitBreakerProducer.builder(second)
                     .breaker(CircuitBreakerRegistry.global().get(name).orElseThrow()).build()) {
            CircuitBreaker restored = guarded.breaker();
            assertThat(restored.state()).isEqualTo(CircuitBreakerState.OPEN);
            // The remaining reset time is kept (wall and monotonic clocks agree to a few milliseconds).
            assertThat(Duration.between(openedAt.plusSeconds(60), restored.snapshot().nextAttemptAt()).abs())
                    .isLessThan(Duration.ofMillis(50));
            assertThatThrownBy(() -> guarded.send(new ProducerRecord<>("restarts", "k", "v")).get())
                    .hasCauseInstanceOf(CircuitBreakerOpenException.class);
        }

        // Once the saved state is older than the TTL, a new start is CLOSED.
        CircuitBreakerRegistry.global().remove(name);
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(openedAt.plusSeconds(2)));
        try (KafkaProducer<String, String> third = new KafkaProducer<>(props(broker, name, topic, 2_000))) {
            assertThat(CircuitBreakerRegistry.global().get(name).orElseThrow().state()).isEqualTo(CircuitBreakerState.CLOSED);
        }
    }
}
