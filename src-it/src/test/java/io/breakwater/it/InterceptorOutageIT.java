package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.testkit.RealBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * (a) A plain KafkaProducer with only the interceptor lines in its properties, through a frozen broker:
 * the breaker opens within 5 s, and once the broker is back the OPEN, HALF_OPEN and CLOSED events reach
 * the status topic in that order, read from outside Java by kcat.
 */
@RealBroker(faults = true)
@Timed
class InterceptorOutageIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void needsKcat() {
        Kcat.require();
    }

    @Test
    void theInterceptorOpensWithinFiveSecondsAndTheStatusTopicTellsTheStory(EmbeddedKafkaCluster kafka) throws Exception {
        String breakerName = "orders-" + UUID.randomUUID().toString().substring(0, 8);
        String instance = "it-interceptor";
        kafka.createTopic("orders");
        Map<String, Object> props = Records.producerConfig(kafka.bootstrapServers());
        // The lines a user adds to an existing producer:
        props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
        props.put("breakwater.breaker.name", breakerName);
        props.put("breakwater.instance.id", instance);
        props.put("breakwater.reset.timeout.ms", "3000");

        AtomicBoolean sending = new AtomicBoolean(true);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            producer.send(new ProducerRecord<>("orders", "k", "warm-up")).get();
            CircuitBreaker breaker = CircuitBreakerRegistry.global().get(breakerName).orElseThrow();
            List<Instant> openedAt = new java.util.concurrent.CopyOnWriteArrayList<>();
            breaker.onTransition(t -> {
                if (t.to() == CircuitBreakerState.OPEN) {
                    openedAt.add(t.at());
                }
            });
            // The load under test: a steady stream of one send per 20 ms.
            java.util.concurrent.atomic.AtomicInteger i = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.ScheduledExecutorService sender = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "steady-sender");
                t.setDaemon(true); // a failed test must not leave it running
                return t;
            });
            sender.scheduleAtFixedRate(() -> {
                if (sending.get()) {
                    producer.send(new ProducerRecord<>("orders", "k", "order-" + i.getAndIncrement()));
                }
            }, 0, 20, java.util.concurrent.TimeUnit.MILLISECONDS);

            Instant fault = Instant.now();
            kafka.blackHoleAll();
            await().atMost(Duration.ofSeconds(10)).until(() -> !openedAt.isEmpty());
            assertThat(Duration.between(fault, openedAt.get(0))).isLessThan(Duration.ofSeconds(5));

            kafka.passAll();
            await().atMost(Duration.ofSeconds(30)).until(() -> breaker.state() == CircuitBreakerState.CLOSED);
            sending.set(false);
            sender.shutdown();
            assertThat(sender.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            String key = instance + "/" + breakerName;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(transitionsOnTheStatusTopic(kafka, key)).endsWith("CLOSED"));
            List<String> seen = transitionsOnTheStatusTopic(kafka, key);
            assertThat(seen).containsSubsequence("OPEN", "HALF_OPEN", "CLOSED");
            assertThat(seen.get(0)).as("the first transition").isEqualTo("OPEN");
            JsonNode open = firstEvent(kafka, key);
            assertThat(Duration.between(fault, Instant.parse(open.get("at").asText()))).isLessThan(Duration.ofSeconds(5));
            // Five records past the in-flight threshold, or the stall (one record past it with nothing answered
            // since), whichever the watchdog sees first in its tick.
            assertThat(open.get("reason").asText()).matches("5 consecutive failure\\(s\\)|stalled: no record answered for \\d+ ms.*");
            assertThat(open.get("lastError").asText()).matches("(no acknowledgement|no record answered) for \\d+ ms.*");
        } finally {
            sending.set(false);
            kafka.passAll();
        }
    }

    private static List<String> transitionsOnTheStatusTopic(EmbeddedKafkaCluster kafka, String key) throws Exception {
        List<String> states = new ArrayList<>();
        for (String line : Kcat.consumeAll(kafka.bootstrapServers(), "breakwater-status")) {
            String[] parts = line.split("\t", 2);
            if (parts.length == 2 && parts[0].equals(key) && isTransition(JSON.readTree(parts[1]))) {
                states.add(JSON.readTree(parts[1]).get("to").asText());
            }
        }
        return states;
    }

    private static JsonNode firstEvent(EmbeddedKafkaCluster kafka, String key) throws Exception {
        for (String line : Kcat.consumeAll(kafka.bootstrapServers(), "breakwater-status")) {
            String[] parts = line.split("\t", 2);
            if (parts.length == 2 && parts[0].equals(key) && isTransition(JSON.readTree(parts[1]))) {
                return JSON.readTree(parts[1]);
            }
        }
        throw new AssertionError("no event for " + key);
    }

    /** A transition, not the breaker's state when it started or stopped being published (schema 2). */
    private static boolean isTransition(JsonNode event) {
        return !event.has("kind") || event.get("kind").asText().equals("transition");
    }
}
