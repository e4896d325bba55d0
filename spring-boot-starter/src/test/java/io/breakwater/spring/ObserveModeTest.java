package io.breakwater.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * {@code breakwater.guard.mode=observe} through the auto-configured {@code KafkaTemplate}: the observed breaker opens,
 * tries again after its reset timeout and closes on the template's own sends, without refusing any. Kafka is a
 * {@link MockProducer} answered by hand, put under the guard in place of the factory's producer.
 */
class ObserveModeTest {

    static final MockProducer<String, String> KAFKA =
            new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());

    /** Runs before the starter's customizer, so that the guard wraps the MockProducer. */
    @Configuration(proxyBeanMethods = false)
    static class MockKafka {
        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        DefaultKafkaProducerFactoryCustomizer mockKafka() {
            return MockKafka::useMock;
        }

        private static <K, V> void useMock(DefaultKafkaProducerFactory<K, V> factory) {
            factory.addPostProcessor(producer -> {
                producer.close(Duration.ZERO);
                @SuppressWarnings("unchecked")
                Producer<K, V> mock = (Producer<K, V>) (Producer<?, ?>) KAFKA;
                return mock;
            });
        }
    }

    @Test
    void anObservedBreakerOpensTriesAndClosesOnTheTemplatesSendsWithoutRefusingAny() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BreakwaterAutoConfiguration.class, KafkaAutoConfiguration.class))
                .withUserConfiguration(MockKafka.class)
                .withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1", "breakwater.guard.mode=observe",
                        "breakwater.breakers.kafka-template.failure-threshold=1",
                        "breakwater.breakers.kafka-template.success-threshold=1",
                        "breakwater.breakers.kafka-template.reset-timeout=500ms")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    CircuitBreaker breaker = context.getBean(BreakwaterBreakers.class).breaker("kafka-template");
                    List<CircuitBreakerState> states = new CopyOnWriteArrayList<>();
                    breaker.onTransition(t -> states.add(t.to()));
                    @SuppressWarnings("unchecked")
                    KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);

                    template.send("orders", "k", "fails");
                    KAFKA.errorNext(new TimeoutException("no answer"));
                    assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);

                    // Every send goes to Kafka; the first after the reset timeout is the breaker's trial.
                    await().atMost(Duration.ofSeconds(10)).until(() -> {
                        template.send("orders", "k", "sent while open");
                        return breaker.state() == CircuitBreakerState.HALF_OPEN;
                    });
                    int sent = KAFKA.history().size();
                    assertThat(breaker.callStats().rejected()).as("sends an enforcing guard would have refused")
                            .isEqualTo(sent - 2);
                    while (KAFKA.completeNext()) {
                        // the sends made while it was open, then the trial
                    }
                    assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
                    assertThat(states).containsExactly(CircuitBreakerState.OPEN, CircuitBreakerState.HALF_OPEN,
                            CircuitBreakerState.CLOSED);
                });
    }
}
