package com.example.orders;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.metrics.BreakerMetrics;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.transport.redpanda.RedpandaTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * An application of its own module that uses Breakwater from the module path: the breaker alone, the interceptor
 * (which Kafka loads by its class name) publishing to a status topic, the wrapping producer, and an EventBus with a SQLite spill and metrics.
 * Arguments: the bootstrap servers, a topic prefix, and a directory for the spill. Prints one line per part.
 */
public final class Main {

    /** An event of this module's own class: Jackson reads it through the package this module opens to it. */
    public record Order(String id, String side, int quantity) {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String prefix = args[1];
        Path spillDir = Path.of(args[2]);
        System.out.println("module " + Main.class.getModule().getName() + ", breakwater in "
                + CircuitBreaker.class.getModule().getName());

        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("modular").build());
        System.out.println("breaker: " + breaker.call(() -> "called") + ", " + breaker.state());

        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
        props.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
        props.put("breakwater.status.enabled", "false");
        Map<String, Object> intercepted = new HashMap<>(props);
        intercepted.put("interceptor.classes", "io.breakwater.interceptors.CircuitBreakerProducerInterceptor");
        intercepted.put("breakwater.breaker.name", "modular-interceptor");
        intercepted.put("breakwater.status.enabled", "true");   // its breaker's state, as JSON, on the status topic
        intercepted.put("breakwater.status.topic", prefix + "-status");
        try (Producer<String, String> producer = new KafkaProducer<>(intercepted)) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(prefix + "-intercepted", "k", "v")).get();
            System.out.println("interceptor: acknowledged at " + sent.topic() + "@" + sent.offset());
        }
        props.put("breakwater.breaker.name", "modular-wrapper");
        try (Producer<String, String> producer = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props)) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(prefix + "-wrapped", "k", "v")).get();
            System.out.println("wrapper: acknowledged at " + sent.topic() + "@" + sent.offset());
        }

        RedpandaTransport transport = RedpandaTransport.builder(Map.of("bootstrap.servers", bootstrap)).build();
        try (EventBus bus = EventBus.builder(transport)
                .spill(SqliteSpillStore.open(spillDir.resolve("spill.db")))
                .build()) {
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            BreakerMetrics.of(List.of(bus.registry()), List.of(bus.transportBreaker())).bindTo(meters);
            PublishResult result = bus.publishStream(prefix + "-orders", "o-1", new Order("o-1", "BUY", 100), Map.of())
                    .get();
            System.out.println("eventbus: acknowledged at " + result.topic() + "@" + result.offset() + ", spilled "
                    + result.spilled() + ", id " + result.eventId());
            System.out.println("metrics: " + meters.getMeters().size() + " meters");
        }
    }
}
