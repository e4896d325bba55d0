package io.breakwater.chaos;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.interceptors.BreakwaterConfig;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A Kafka producer: wrapped in a {@link CircuitBreakerProducer} (blocking or not), or plain with the
 * {@link CircuitBreakerProducerInterceptor}. Its breaker lives in the global registry under the workload's name,
 * {@code chaos-} and the name.
 */
final class ProducerWorkload implements Workload {

    private final String name;
    private final Producer<String, String> producer;
    private final CircuitBreaker breaker;

    private ProducerWorkload(String name, Producer<String, String> producer, CircuitBreaker breaker) {
        this.name = name;
        this.producer = producer;
        this.breaker = breaker;
    }

    /** A {@link CircuitBreakerProducer} made by {@code wrap(producer, properties)}, as its users do. */
    static ProducerWorkload wrapped(String name, Map<String, Object> producerProperties, Duration resetTimeout,
            boolean nonBlocking) {
        Map<String, Object> props = properties(name, producerProperties, resetTimeout);
        props.put(BreakwaterConfig.SEND_NONBLOCKING_CONFIG, Boolean.toString(nonBlocking));
        CircuitBreakerProducer<String, String> wrapped = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props);
        return new ProducerWorkload(name, wrapped, wrapped.breaker());
    }

    /** A plain {@link KafkaProducer} whose properties install the interceptor: it observes, it cannot refuse. */
    static ProducerWorkload intercepted(String name, Map<String, Object> producerProperties, Duration resetTimeout) {
        Map<String, Object> props = properties(name, producerProperties, resetTimeout);
        props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
        KafkaProducer<String, String> producer = new KafkaProducer<>(props);
        return new ProducerWorkload(name, producer, CircuitBreakerRegistry.global().get("chaos-" + name).orElseThrow());
    }

    private static Map<String, Object> properties(String name, Map<String, Object> producerProperties, Duration resetTimeout) {
        Map<String, Object> props = new HashMap<>(producerProperties);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(BreakwaterConfig.BREAKER_NAME_CONFIG, "chaos-" + name);
        props.put(BreakwaterConfig.RESET_TIMEOUT_MS_CONFIG, Long.toString(resetTimeout.toMillis()));
        props.put(BreakwaterConfig.STATUS_ENABLED_CONFIG, "false");
        return props;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(Event event, Consumer<Outcome> done) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic(), event.key(), event.value());
        record.headers().add(ID_HEADER, event.id().getBytes(StandardCharsets.UTF_8));
        producer.send(record, (metadata, error) -> done.accept(error != null ? Outcome.of(error)
                : Outcome.ok(metadata.partition(), metadata.offset())));
    }

    @Override
    public List<CircuitBreaker> breakers() {
        return breaker == null ? List.of() : List.of(breaker);
    }

    @Override
    public long spillPending() {
        return 0;
    }

    @Override
    public void close(Duration timeout) {
        producer.close(timeout);
    }
}
