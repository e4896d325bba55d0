package io.breakwater.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.testkit.ForkedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import io.breakwater.interceptors.KafkaClientVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The auto-configured {@code KafkaTemplate} against a real broker in its own JVM (Kafka 4.4), with the
 * kafka-clients that Boot 4.0 manages in this JVM.
 */
class GuardIT {

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

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BreakwaterAutoConfiguration.class, KafkaAutoConfiguration.class))
                .withPropertyValues("spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                        "spring.kafka.producer.properties.max.block.ms=60000",
                        "breakwater.breaker.reset-timeout=3s");
    }

    @Test
    void runsOnTheKafkaClientsOfBoot40() {
        assertThat(KafkaClientVersion.current()).isEqualTo("4.1.2");
    }

    @Test
    void theTemplateFailsFastWhileTheFrozenBrokerKeepsTheBreakerOpenAndSendsAgainAfterResume() throws Exception {
        String topic = newTopic("guard");
        runner().run(context -> {
            @SuppressWarnings("unchecked")
            KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
            CircuitBreaker breaker = context.getBean(BreakwaterBreakers.class).breaker("kafka-template");
            template.send(topic, "k", "before").get(30, TimeUnit.SECONDS);
            broker.freeze();
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> {
                    sendIgnoringRefusal(template, topic, "frozen");
                    return breaker.state().rejectsCalls();
                });
                await().atMost(Duration.ofSeconds(10)).until(() -> breaker.state() == CircuitBreakerState.OPEN);
                long start = System.nanoTime();
                assertThatThrownBy(() -> template.send(topic, "k", "refused"))
                        .isInstanceOf(KafkaException.class).hasCauseInstanceOf(CircuitBreakerOpenException.class);
                // Kafka's producer alone would block up to max.block.ms (60 s) here.
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
            } finally {
                broker.resume();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                sendIgnoringRefusal(template, topic, "after");
                return breaker.state() == CircuitBreakerState.CLOSED;
            });
            template.send(topic, "k", "closed").get(30, TimeUnit.SECONDS);
        });
    }

    @Test
    void aTransactionalTemplateCommitsAndAbortsThroughTheGuard() throws Exception {
        String topic = newTopic("guard-tx");
        runner().withPropertyValues("spring.kafka.producer.transaction-id-prefix=guard-tx-",
                "breakwater.guard.breaker-name=tx-out").run(context -> {
            @SuppressWarnings("unchecked")
            KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
            assertThat(template.isTransactional()).isTrue();
            template.executeInTransaction(t -> t.send(topic, "k", "committed"));
            assertThatThrownBy(() -> template.executeInTransaction(t -> {
                t.send(topic, "k", "aborted");
                throw new IllegalStateException("roll back");
            })).isInstanceOf(IllegalStateException.class);
            template.executeInTransaction(t -> t.send(topic, "k", "last"));
            assertThat(readCommitted(topic, "last")).containsExactly("committed", "last");
            CircuitBreaker breaker = context.getBean(BreakwaterBreakers.class).breaker("tx-out");
            assertThat(breaker.callStats().successful()).as("sends went through the guard").isGreaterThanOrEqualTo(2);
        });
    }

    @Test
    void theEventBusAndTheStatusPublisherReachTheBrokerOfSpringKafka() throws Exception {
        String status = "status-" + UUID.randomUUID();
        runner().withConfiguration(AutoConfigurations.of(BreakwaterKafkaAutoConfiguration.class))
                .withPropertyValues("breakwater.event-bus.enabled=true", "breakwater.status.enabled=true",
                        "breakwater.status.topic=" + status, "breakwater.status.instance-id=starter-it")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    EventBus bus = context.getBean(EventBus.class);
                    PublishResult published = bus.publishStream("orders", Map.of("id", 1)).get(30, TimeUnit.SECONDS);
                    assertThat(published.acknowledged()).isTrue();
                    context.getBean(BreakwaterBreakers.class).breaker("payments").forceOpen("it");
                    assertThat(readCommitted(status, null)).anyMatch(v -> v.contains("payments")
                            && v.contains("FORCED_OPEN") && v.contains("starter-it"));
                });
    }

    private static void sendIgnoringRefusal(KafkaTemplate<String, String> template, String topic, String value) {
        try {
            template.send(topic, "k", value);
        } catch (KafkaException refused) {
            // the breaker has opened: what the test waits for
        }
    }

    private static String newTopic(String prefix) throws Exception {
        String topic = prefix + "-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private static List<String> readCommitted(String topic, String last) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "read-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return last == null ? values.stream().anyMatch(v -> v.contains("FORCED_OPEN")) : values.contains(last);
            });
        }
        return values;
    }
}
