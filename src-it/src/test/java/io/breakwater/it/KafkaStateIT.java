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

        // Once the saved state is older than the TTL, a new start is CLOSED (the state is seconds old; the TTL 1 ms).
        CircuitBreakerRegistry.global().remove(name);
        try (KafkaProducer<String, String> third = new KafkaProducer<>(props(broker, name, topic, 1))) {
            assertThat(CircuitBreakerRegistry.global().get(name).orElseThrow().state()).isEqualTo(CircuitBreakerState.CLOSED);
        }
    }

    @Test
    void withTheDefaultInstanceIdNothingIsReadSoStartingNeverWaitsForTheStatusCluster(TestBroker broker) throws Exception {
        String name = "default-id-" + UUID.randomUUID();
        Map<String, Object> props = new HashMap<>(Records.producerConfig(broker.bootstrapServers()));
        props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
        props.put("breakwater.breaker.name", name);
        // The status cluster is away: a read would wait breakwater.state.restore.timeout.ms, here 60 s, so that a start
        // slowed by a loaded machine is not taken for one.
        props.put("breakwater.status.bootstrap.servers", "127.0.0.1:1");
        props.put("breakwater.state.restore.timeout.ms", "60000");
        assertThat(new io.breakwater.interceptors.BreakwaterConfig(props).instanceId())
                .as("{host}-{pid}: a new id at every start").endsWith("-" + ProcessHandle.current().pid());
        long start = System.nanoTime();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("no restore read with an id that cannot have saved anything").isLessThan(Duration.ofSeconds(30));
            assertThat(CircuitBreakerRegistry.global().get(name).orElseThrow().state()).isEqualTo(CircuitBreakerState.CLOSED);
            producer.close(Duration.ZERO);
        }
    }

    @Test
    void withAClientIdTheInstanceIdIsStableAndTheStateIsRestored(TestBroker broker) throws Exception {
        String clientId = "orders-service-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = "state-" + UUID.randomUUID();
        Map<String, Object> props = new HashMap<>(Records.producerConfig(broker.bootstrapServers()));
        props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put("breakwater.status.topic", topic);
        try (KafkaProducer<String, String> first = new KafkaProducer<>(props)) {
            CircuitBreaker breaker = CircuitBreakerRegistry.global().get(clientId).orElseThrow();
            breaker.forceOpen();
        }
        try (StatusReader reader = StatusReader.start(Map.of("bootstrap.servers", broker.bootstrapServers()), topic)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.fleet().keySet().stream()
                    .anyMatch(key -> key.endsWith("-" + clientId + "/" + clientId)));
        }
        CircuitBreakerRegistry.global().remove(clientId);
        try (KafkaProducer<String, String> second = new KafkaProducer<>(props)) {
            assertThat(CircuitBreakerRegistry.global().get(clientId).orElseThrow().state())
                    .as("breaker and instance both named after the client.id").isEqualTo(CircuitBreakerState.FORCED_OPEN);
        } finally {
            CircuitBreakerRegistry.global().get(clientId).ifPresent(CircuitBreaker::reset);
        }
    }
}
