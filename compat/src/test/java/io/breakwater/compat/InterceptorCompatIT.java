package io.breakwater.compat;

import static io.breakwater.compat.Clients.newTopic;
import static io.breakwater.compat.Clients.opens;
import static io.breakwater.compat.Clients.producerConfig;
import static io.breakwater.compat.Clients.unique;
import static io.breakwater.compat.Clients.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.status.StatusEvent;
import io.breakwater.status.StatusReader;
import io.breakwater.testkit.ForkedKafkaBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The interceptor in this release's KafkaProducer: each acknowledgement reaches it once, through whichever
 * {@code onAcknowledgement} form the release calls, a frozen broker opens its breaker, and its transitions
 * reach the status topic, where a {@link StatusReader} on this release reads them.
 */
@ExtendWith(CompatBroker.class)
class InterceptorCompatIT {

    @Test
    void everyAcknowledgementIsCountedOnceAndAFrozenBrokerOpensTheBreaker(ForkedKafkaBroker broker) throws Exception {
        String bootstrap = broker.bootstrapServers();
        String topic = newTopic(bootstrap, "compat-interceptor");
        String name = unique("compat-interceptor");
        Map<String, Object> config = producerConfig(bootstrap, name);
        config.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
        String statusTopic = unique("compat-status");
        String instance = unique("compat-instance");
        config.put("breakwater.status.enabled", "true");
        config.put("breakwater.status.topic", statusTopic);
        config.put("breakwater.instance.id", instance); // a stable id: configure also reads the topic to restore
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get(30, TimeUnit.SECONDS);
            }
            CircuitBreaker breaker = CircuitBreakerRegistry.global().get(name).orElseThrow();
            assertThat(breaker.snapshot().successfulCalls()).as("acknowledgements recorded").isEqualTo(5);

            BooleanSupplier opened = opens(breaker);
            broker.freeze();
            List<Future<RecordMetadata>> frozen = new ArrayList<>();
            within(10).untilAsserted(() -> {
                frozen.add(producer.send(new ProducerRecord<>(topic, "k", "frozen")));
                assertThat(opened.getAsBoolean()).as("opened; %s", breaker.snapshot()).isTrue();
            });
            broker.resume();
            for (Future<RecordMetadata> f : frozen) {
                f.get(30, TimeUnit.SECONDS);
            }
            within(20).until(() -> {
                producer.send(new ProducerRecord<>(topic, "k", "after")).get(30, TimeUnit.SECONDS);
                return breaker.state() == CircuitBreakerState.CLOSED;
            });
        }
        try (StatusReader reader = StatusReader.start(Map.of("bootstrap.servers", bootstrap), statusTopic)) {
            within(20).untilAsserted(() -> {
                StatusEvent last = reader.fleet().get(instance + "/" + name);
                assertThat(last).as("the breaker's latest event on the status topic").isNotNull();
                assertThat(last.to()).isEqualTo(CircuitBreakerState.CLOSED);
                assertThat(last.sequence()).as("OPEN, HALF_OPEN and CLOSED were published").isGreaterThanOrEqualTo(3);
            });
        }
    }
}
