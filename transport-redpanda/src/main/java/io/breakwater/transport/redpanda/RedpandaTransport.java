package io.breakwater.transport.redpanda;

import io.breakwater.breaker.Timeouts;
import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.interceptors.BreakwaterConfig;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.DeferredRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

/**
 * Sends bytes with a key and headers to Kafka or Redpanda through one transport-wide breaker
 * ({@value BreakerPresets#KAFKA_TRANSPORT_NAME}, the kafka preset: 5 failures, 30 s) over a
 * {@link CircuitBreakerProducer}. The breaker opens only when the cluster answers nobody: one stream's
 * trouble is left to that stream's own breaker (see
 * {@link io.breakwater.interceptors.CircuitBreakerProducerBuilder#clusterWideOnly(boolean)}). Sends never
 * block the caller: one sender thread per transport hands records to the producer in order (see
 * {@link Builder#nonBlocking(boolean)}). Thread-safe.
 */
public final class RedpandaTransport implements AutoCloseable {

    /**
     * {@code max.block.ms} used when the properties do not set it. A send that finds no metadata (a dead
     * cluster) blocks its caller this long before Kafka gives up; the breaker stops later sends from
     * trying, but not the one already blocked, so a transport that fails fast keeps it short.
     */
    public static final int DEFAULT_MAX_BLOCK_MS = 2_000;
    /** How long {@link #close()} waits for records in flight, in seconds. */
    public static final long DEFAULT_CLOSE_TIMEOUT_SECONDS = 30;
    /** How long {@link #close()} waits for records in flight. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(DEFAULT_CLOSE_TIMEOUT_SECONDS);
    private final CircuitBreakerProducer<String, byte[]> producer;
    private final EventCodec codec;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RedpandaTransport(Builder b) {
        this.codec = b.codec;
        var wrapper = CircuitBreakerProducer.builder(b.producer);
        if (b.properties != null) {
            wrapper.producerConfig(b.properties);   // names the principal should the cluster refuse the credentials
        }
        this.producer = wrapper
                .breaker(b.breaker != null ? b.breaker : CircuitBreaker.of(b.breakerConfig))
                .sendBlockThreshold(b.sendBlockThreshold)
                .inFlightThreshold(b.inFlightThreshold)
                .clusterWideOnly(true)
                .nonBlocking(b.nonBlocking)
                .sendQueueMaxRecords(b.sendQueueMaxRecords)
                .build();
    }

    /**
     * A transport with a producer of its own made from {@code producerProperties} ({@code bootstrap.servers},
     * security, tuning). It sets the serializers (String keys, byte[] values) and, unless given,
     * {@code max.block.ms} = {@value #DEFAULT_MAX_BLOCK_MS}. The {@code breakwater.*} keys of the transport
     * breaker apply as they do to a wrapped producer (thresholds, windows, {@code breakwater.breaker.name},
     * default {@value BreakerPresets#KAFKA_TRANSPORT_NAME}); the builder's own methods override them.
     * @throws org.apache.kafka.common.config.ConfigException for an unknown or invalid {@code breakwater.*} key,
     *         or one that does not apply to a transport (status and state keys: give the EventBus a
     *         {@code StatusPublisher} instead)
     * @throws IllegalArgumentException when a serializer other than String keys and byte[] values is set
     */
    public static Builder builder(Map<String, ?> producerProperties) {
        return TransportProperties.builder(producerProperties);
    }

    /** A transport over an existing producer (which it closes on {@link #close()}). */
    public static Builder builder(Producer<String, byte[]> producer) {
        return new Builder(Objects.requireNonNull(producer, "producer"), null);
    }

    /**
     * Sends {@code value} to {@code topic}. The future completes with the broker's metadata, or fails with
     * what the producer reported; while the transport breaker is open it fails at once with a
     * {@code CircuitBreakerOpenException} naming {@value BreakerPresets#KAFKA_TRANSPORT_NAME}. Whatever the
     * producer throws goes to the future too. The future mostly completes on Kafka's network thread, and so do the
     * stages chained to it without an executor ({@code thenApply}, {@code whenComplete}): keep them short, never
     * blocking, or give them an executor ({@code thenApplyAsync(f, executor)}); one that blocks holds up every
     * answer of this producer.
     * @throws IllegalArgumentException when a header name is null or empty (checked before anything is sent)
     */
    public CompletableFuture<RecordMetadata> send(String topic, String key, byte[] value, Map<String, String> headers) {
        return send(topic, key, value, headers, null);
    }

    /**
     * Like {@link #send(String, String, byte[], Map)}, with {@code gate} run just before the record is handed to
     * Kafka (on the sender thread): an exception it returns fails the send instead. The EventBus drops this way
     * the records of a stream whose breaker opened while they waited, and starts their clock only then.
     */
    public CompletableFuture<RecordMetadata> send(String topic, String key, byte[] value, Map<String, String> headers,
                                                  Supplier<? extends RuntimeException> gate) {
        return send(new ProducerRecord<>(topic, null, key, value, headers(headers)), gate);
    }

    /** Sends {@code record} as it is, its headers Kafka's already; {@code gate} (may be null) as above. */
    public CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record, Supplier<? extends RuntimeException> gate) {
        CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
        try {
            send(record, gate, (metadata, error) -> {
                if (error == null) {
                    result.complete(metadata);
                } else {
                    result.completeExceptionally(error);
                }
            });
        } catch (Throwable e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /**
     * Sends {@code record} as it is, {@code gate} (may be null) as above, without a future: {@code callback} hears the
     * outcome, from the producer, or with the exception its {@code send} throws. For senders that keep their own
     * bookkeeping per record and would only wait on a future. {@code callback} must not throw: the producer calls it on
     * the caller's thread for a refusal, and an exception it threw there would come back to it as the send's failure.
     *
     * @throws Error what the producer's {@code send} throws that is not an {@code Exception}
     */
    public void send(ProducerRecord<String, byte[]> record, Supplier<? extends RuntimeException> gate, Callback callback) {
        Objects.requireNonNull(callback, "callback");
        try {
            producer.send(record, callback, gate);
        } catch (Exception e) {
            callback.onCompletion(null, e);
        }
    }

    /**
     * Sends the record {@code deferred} makes once its gate ({@link DeferredRecord#veto()}) lets it go, just before it is
     * handed to Kafka (on the sender thread, unless the transport blocks); {@code deferred} hears the outcome, as a
     * callback does in {@link #send(ProducerRecord, Supplier, Callback)}, and a record that waits holds only what it
     * holds.
     *
     * @throws Error what the producer's {@code send} throws that is not an {@code Exception}
     */
    public void sendDeferred(DeferredRecord<String, byte[]> deferred) {
        Objects.requireNonNull(deferred, "deferred");
        try {
            producer.sendDeferred(deferred);
        } catch (Exception e) {
            deferred.onCompletion(null, e);
        }
    }

    /**
     * {@code headers} as Kafka headers (values in UTF-8; a null value stays null).
     *
     * @throws IllegalArgumentException when a header name is null or empty
     */
    public static List<Header> headers(Map<String, String> headers) {
        return TextHeaders.of(headers);
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

    /** Closes, waiting up to {@value #DEFAULT_CLOSE_TIMEOUT_SECONDS} s for the records in flight. Idempotent. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Closes the producer, waiting up to {@code timeout} for the records in flight to be answered; records
     * still unanswered then fail. Idempotent.
     */
    public void close(Duration timeout) {
        Timeouts.nonNegative(timeout);
        if (closed.compareAndSet(false, true)) {
            producer.close(timeout);
        }
    }

    /** Options of a {@link RedpandaTransport}. */
    public static final class Builder {
        // The producer given, or null: then build() makes one from these properties (and closes it if it fails).
        private final Producer<String, byte[]> given;
        private final Map<String, Object> properties;
        private Producer<String, byte[]> producer;
        private CircuitBreaker breaker;
        private CircuitBreakerConfig breakerConfig = BreakerPresets.kafkaTransport();
        private EventCodec codec = JsonEventCodec.create();
        private Duration sendBlockThreshold = Duration.ofSeconds(1);
        private Duration inFlightThreshold = Duration.ofSeconds(2);
        private boolean nonBlocking = true;
        private int sendQueueMaxRecords = BreakwaterConfig.SEND_QUEUE_MAX_RECORDS_DEFAULT;

        Builder(Producer<String, byte[]> given, Map<String, Object> properties) {
            this.given = given;
            this.properties = properties;
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

        /**
         * A send blocked longer than this, with no send made before it acknowledged meanwhile, counts against the
         * transport breaker (default 1 s).
         */
        public Builder sendBlockThreshold(Duration threshold) {
            this.sendBlockThreshold = Timeouts.positive("sendBlockThreshold", threshold);
            return this;
        }

        /**
         * A send unanswered longer than this, with no send made before it acknowledged meanwhile, counts against the
         * transport breaker (default 2 s): a backlog the cluster works through is no failure.
         */
        public Builder inFlightThreshold(Duration threshold) {
            this.inFlightThreshold = Timeouts.positive("inFlightThreshold", threshold);
            return this;
        }

        /**
         * Whether {@link RedpandaTransport#send} returns at once, with one sender thread handing records to the
         * producer in order (default true: a transport never blocks its callers; see
         * {@code CircuitBreakerProducerBuilder#nonBlocking}). False: each send runs Kafka's {@code send()} on the
         * caller's thread, which may block up to {@code max.block.ms}.
         */
        public Builder nonBlocking(boolean nonBlocking) {
            this.nonBlocking = nonBlocking;
            return this;
        }

        /** Non-blocking mode: records that may wait for the sender thread (default 10,000); more fail at once. */
        public Builder sendQueueMaxRecords(int records) {
            if (records < 1) {
                throw new IllegalArgumentException("sendQueueMaxRecords must be >= 1, but was " + records);
            }
            this.sendQueueMaxRecords = records;
            return this;
        }

        /** The transport; it owns the producer from now on (closing the transport closes it). */
        public RedpandaTransport build() {
            producer = given != null ? given : new KafkaProducer<>(properties);
            try {
                return new RedpandaTransport(this);
            } catch (RuntimeException | Error e) {
                if (given == null) {
                    producer.close(Duration.ZERO);
                }
                throw e;
            }
        }
    }
}
