package io.breakwater.transport.redpanda;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.interceptors.CircuitBreakerProducer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends bytes with a key and headers to Kafka or Redpanda through one transport-wide breaker
 * ({@value BreakerPresets#KAFKA_TRANSPORT_NAME}, the kafka preset: 5 failures, 30 s) over a
 * {@link CircuitBreakerProducer}. The breaker opens only when the cluster answers nobody: while any send
 * succeeds, one stream's trouble is left to that stream's own breaker (see
 * {@link CircuitBreakerProducer.Builder#clusterWideOnly(boolean)}). Thread-safe.
 */
public final class RedpandaTransport implements AutoCloseable {

    /**
     * {@code max.block.ms} used when the properties do not set it. A send that finds no metadata (a dead
     * cluster) blocks its caller this long before Kafka gives up; the breaker stops later sends from
     * trying, but not the one already blocked, so a transport that fails fast keeps it short.
     */
    public static final int DEFAULT_MAX_BLOCK_MS = 2_000;

    private final CircuitBreakerProducer<String, byte[]> producer;
    private final EventCodec codec;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private RedpandaTransport(Builder b) {
        this.codec = b.codec;
        this.producer = CircuitBreakerProducer.builder(b.producer)
                .breaker(b.breaker != null ? b.breaker : CircuitBreaker.of(b.breakerConfig))
                .sendBlockThreshold(b.sendBlockThreshold)
                .inFlightThreshold(b.inFlightThreshold)
                .clusterWideOnly(true)
                .build();
    }

    /**
     * A transport with a producer of its own made from {@code producerProperties} ({@code bootstrap.servers},
     * security, tuning). It sets the serializers (String keys, byte[] values) and, unless given,
     * {@code max.block.ms} = {@value #DEFAULT_MAX_BLOCK_MS}.
     */
    public static Builder builder(Map<String, ?> producerProperties) {
        Map<String, Object> props = new HashMap<>(producerProperties);
        requireSerializer(props, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        requireSerializer(props, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, DEFAULT_MAX_BLOCK_MS);
        return new Builder(new KafkaProducer<>(props));
    }

    /** A transport over an existing producer (which it closes on {@link #close()}). */
    public static Builder builder(Producer<String, byte[]> producer) {
        return new Builder(Objects.requireNonNull(producer, "producer"));
    }

    private static void requireSerializer(Map<String, Object> props, String key, Class<?> expected) {
        Object given = props.get(key);
        if (given != null && !expected.getName().equals(given instanceof Class ? ((Class<?>) given).getName() : given.toString())) {
            throw new IllegalArgumentException(key + " must be " + expected.getName()
                    + " (RedpandaTransport sends String keys and byte[] values; the codec makes the bytes), but was " + given);
        }
        props.put(key, expected);
    }

    /**
     * Sends {@code value} to {@code topic}. The future completes with the broker's metadata, or fails with
     * what the producer reported; while the transport breaker is open it fails at once with a
     * {@code CircuitBreakerOpenException} naming {@value BreakerPresets#KAFKA_TRANSPORT_NAME}.
     */
    public CompletableFuture<RecordMetadata> send(String topic, String key, byte[] value, Map<String, String> headers) {
        RecordHeaders recordHeaders = new RecordHeaders();
        if (headers != null) {
            headers.forEach((name, text) -> recordHeaders.add(Objects.requireNonNull(name, "header name"),
                    text == null ? null : text.getBytes(StandardCharsets.UTF_8)));
        }
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, null, key, value, recordHeaders), (metadata, error) -> {
                if (error == null) {
                    result.complete(metadata);
                } else {
                    result.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /** The bytes of {@code event}, by the transport's codec. */
    public byte[] encode(Object event) {
        return codec.encode(event);
    }

    public EventCodec codec() {
        return codec;
    }

    /** The transport-wide breaker. */
    public CircuitBreaker breaker() {
        return producer.breaker();
    }

    /** Waits until every record sent so far is answered. */
    public void flush() {
        producer.flush();
    }

    /** Flushes, then closes the producer. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            producer.flush();
        } finally {
            producer.close(Duration.ofSeconds(30));
        }
    }

    /** Options of a {@link RedpandaTransport}. */
    public static final class Builder {
        private final Producer<String, byte[]> producer;
        private CircuitBreaker breaker;
        private CircuitBreakerConfig breakerConfig = BreakerPresets.kafkaTransport();
        private EventCodec codec = JsonEventCodec.create();
        private Duration sendBlockThreshold = Duration.ofSeconds(1);
        private Duration inFlightThreshold = Duration.ofSeconds(2);

        private Builder(Producer<String, byte[]> producer) {
            this.producer = producer;
        }

        /** The transport breaker's config (default: the kafka preset, named {@value BreakerPresets#KAFKA_TRANSPORT_NAME}). */
        public Builder breakerConfig(CircuitBreakerConfig config) {
            this.breakerConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /** An existing breaker to use as the transport breaker (from a registry, say). */
        public Builder breaker(CircuitBreaker breaker) {
            this.breaker = Objects.requireNonNull(breaker, "breaker");
            return this;
        }

        /** The codec of events (default: JSON with Jackson). */
        public Builder codec(EventCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** JSON with this {@link com.fasterxml.jackson.databind.ObjectMapper}. */
        public Builder objectMapper(com.fasterxml.jackson.databind.ObjectMapper mapper) {
            this.codec = JsonEventCodec.with(mapper);
            return this;
        }

        public Builder sendBlockThreshold(Duration threshold) {
            this.sendBlockThreshold = Objects.requireNonNull(threshold, "sendBlockThreshold");
            return this;
        }

        public Builder inFlightThreshold(Duration threshold) {
            this.inFlightThreshold = Objects.requireNonNull(threshold, "inFlightThreshold");
            return this;
        }

        public RedpandaTransport build() {
            return new RedpandaTransport(this);
        }
    }
}
