package io.breakwater.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.testkit.ForkedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

/**
 * A gated listener through an outage longer than Spring Kafka's ten deliveries, against a real broker in its own JVM:
 * the record that was failing is neither skipped nor committed past, however many breaker cycles the outage takes;
 * a record at fault (the listener's own error, a record that cannot be deserialized) still reaches the recoverer.
 */
class StarterGateIT {

    private static ForkedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = ForkedKafkaBroker.start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    /** The listener: each order is written to the "database" through the breaker {@code db}. */
    static class Orders {
        final List<String> handled = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        volatile boolean databaseDown;
        private final CircuitBreaker db;

        Orders(BreakwaterBreakers breakers) {
            this.db = breakers.breaker("db");
        }

        @KafkaListener(id = "orders", topics = "${gate.topic}", groupId = "${gate.topic}")
        void handle(String value) {
            deliveries.computeIfAbsent(value, v -> new AtomicInteger()).incrementAndGet();
            if (value.equals("poison")) {
                throw new IllegalArgumentException("an order without a customer");
            }
            db.execute(() -> {
                if (databaseDown) {
                    throw new IllegalStateException("database down");
                }
                return handled.add(value);
            });
        }

        int deliveriesOf(String value) {
            AtomicInteger n = deliveries.get(value);
            return n == null ? 0 : n.get();
        }
    }

    /** The application's recoverer (a dead-letter publisher, say): notes the offset of each record it takes. */
    static class Recovered implements ConsumerRecordRecoverer {
        final List<Long> offsets = new CopyOnWriteArrayList<>();

        @Override
        public void accept(ConsumerRecord<?, ?> record, Exception e) {
            offsets.add(record.offset());
        }
    }

    /** The value deserializer under Spring Kafka's ErrorHandlingDeserializer: "unreadable" cannot be read. */
    public static class Strict implements Deserializer<String> {
        @Override
        public String deserialize(String topic, byte[] data) {
            String value = new String(data, StandardCharsets.UTF_8);
            if (value.equals("unreadable")) {
                throw new SerializationException("not an order");
            }
            return value;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class App {
        @Bean
        Orders orders(BreakwaterBreakers breakers) {
            return new Orders(breakers);
        }

        @Bean
        Recovered recovered() {
            return new Recovered();
        }
    }

    @Test
    void anOutageOfMoreBreakerCyclesThanTenDeliveriesSkipsNothingAndARecordAtFaultStillReachesTheRecoverer()
            throws Exception {
        String topic = "outage-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BreakwaterAutoConfiguration.class, KafkaAutoConfiguration.class,
                        BreakwaterKafkaAutoConfiguration.class))
                .withUserConfiguration(App.class)
                .withPropertyValues("spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                        "spring.kafka.consumer.auto-offset-reset=earliest", "gate.topic=" + topic,
                        "spring.kafka.consumer.value-deserializer=" + ErrorHandlingDeserializer.class.getName(),
                        "spring.kafka.consumer.properties[spring.deserializer.value.delegate.class]="
                                + Strict.class.getName(),
                        "breakwater.listeners.orders.pause-on=db",
                        "breakwater.breakers.db.failure-threshold=2", "breakwater.breakers.db.reset-timeout=1s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    @SuppressWarnings("unchecked")
                    KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
                    Orders orders = context.getBean(Orders.class);
                    Recovered recovered = context.getBean(Recovered.class);
                    TopicPartition partition = new TopicPartition(topic, 0);

                    send(template, topic, "1", "2", "3");
                    await().atMost(Duration.ofSeconds(30)).until(() -> orders.handled.size() == 3);
                    await().atMost(Duration.ofSeconds(30)).until(() -> committed(topic, partition) == 3L);

                    // The database goes away for 15 deliveries of order 4: two open the breaker, then one failed
                    // trial per reset timeout. Spring Kafka alone would have skipped it at the tenth.
                    orders.databaseDown = true;
                    long four = send(template, topic, "4", "5", "6").get(0);
                    await().atMost(Duration.ofSeconds(90)).until(() -> orders.deliveriesOf("4") >= 15
                            || !recovered.offsets.isEmpty() || orders.deliveriesOf("5") > 0);
                    assertThat(recovered.offsets).as("records recovered during the outage").isEmpty();
                    assertThat(orders.deliveriesOf("5")).as("deliveries of the record after it").isZero();
                    assertThat(committed(topic, partition)).as("committed offset").isEqualTo(four);

                    orders.databaseDown = false;
                    await().atMost(Duration.ofSeconds(30)).until(() -> orders.handled.size() == 6);
                    assertThat(orders.handled).containsExactlyElementsOf(
                            IntStream.rangeClosed(1, 6).mapToObj(Integer::toString).toList());
                    assertThat(recovered.offsets).isEmpty();

                    // The listener's own error: ten deliveries, then the recoverer; the next record goes on.
                    long poison = send(template, topic, "poison", "7").get(0);
                    await().atMost(Duration.ofSeconds(30)).until(() -> orders.handled.contains("7"));
                    assertThat(orders.deliveriesOf("poison")).isEqualTo(10);
                    assertThat(recovered.offsets).containsExactly(poison);

                    // A record that cannot be deserialized: to the recoverer at once, without reaching the listener.
                    long unreadable = send(template, topic, "unreadable", "8").get(0);
                    await().atMost(Duration.ofSeconds(30)).until(() -> orders.handled.contains("8"));
                    assertThat(recovered.offsets).containsExactly(poison, unreadable);
                    assertThat(orders.handled).containsExactlyElementsOf(
                            IntStream.rangeClosed(1, 8).mapToObj(Integer::toString).toList());
                    await().atMost(Duration.ofSeconds(30)).until(() -> committed(topic, partition) == unreadable + 2);
                });
    }

    /** Sends {@code values} in order and returns their offsets. */
    private static List<Long> send(KafkaTemplate<String, String> template, String topic, String... values)
            throws Exception {
        List<Long> offsets = new CopyOnWriteArrayList<>();
        for (String value : values) {
            offsets.add(template.send(topic, "k", value).get(30, TimeUnit.SECONDS).getRecordMetadata().offset());
        }
        return offsets;
    }

    /** The group's committed offset of {@code partition} (the group is named after the topic); -1 for none. */
    private static long committed(String topic, TopicPartition partition) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(topic).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(partition);
            return offset == null ? -1L : offset.offset();
        }
    }
}
