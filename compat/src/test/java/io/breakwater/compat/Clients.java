package io.breakwater.compat;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Clients for the compatibility tests, with only what every kafka-clients from 3.7 to 4.4 has. Thresholds are
 * short (a record unanswered for 500 ms counts, an open breaker tries again after 1 s) to keep a run near 30 s.
 */
final class Clients {

    static final Duration IN_FLIGHT_THRESHOLD = Duration.ofMillis(500);
    static final Duration RESET_TIMEOUT = Duration.ofSeconds(1);

    private Clients() {
    }

    /** A unique name: topics and breakers are never shared between tests. */
    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A String producer's properties, with the breakwater.* keys of a quick breaker named {@code breaker}. */
    static Map<String, Object> producerConfig(String bootstrap, String breaker) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        config.put("breakwater.breaker.name", breaker);
        config.put("breakwater.in.flight.threshold.ms", Long.toString(IN_FLIGHT_THRESHOLD.toMillis()));
        config.put("breakwater.send.block.threshold.ms", "500");
        config.put("breakwater.reset.timeout.ms", Long.toString(RESET_TIMEOUT.toMillis()));
        config.put("breakwater.status.enabled", "false");
        return config;
    }

    /** Creates a topic of one partition named {@code prefix} and a unique suffix, and returns its name. */
    static String newTopic(String bootstrap, String prefix) throws Exception {
        String topic = unique(prefix);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    static KafkaConsumer<String, String> consumer(String bootstrap, String group, boolean readCommitted) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(config);
    }

    /** Reads {@code topic} from its start until what was read satisfies {@code done}, or 30 s have passed. */
    static List<ConsumerRecord<String, String>> consume(String bootstrap, String topic, boolean readCommitted,
                                                        Predicate<List<ConsumerRecord<String, String>>> done) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, unique("compat-reader"), readCommitted)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!done.test(records) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Awaitility, polling every 50 ms for at most {@code seconds}. */
    static ConditionFactory within(int seconds) {
        return Awaitility.await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(50));
    }

    /**
     * Whether {@code breaker} has moved to OPEN since this was called, heard by a listener: with a 1 s reset
     * timeout, a state polled on a busy machine could miss a short OPEN.
     */
    static BooleanSupplier opens(CircuitBreaker breaker) {
        AtomicBoolean opened = new AtomicBoolean();
        breaker.onTransition(t -> {
            if (t.to() == CircuitBreakerState.OPEN) {
                opened.set(true);
            }
        });
        return opened::get;
    }
}
