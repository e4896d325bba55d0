package io.breakwater.eventbus;

import io.breakwater.breaker.Timeouts;
import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerSnapshot;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Permit;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.Throwables;
import io.breakwater.breaker.watch.CallTracker;
import io.breakwater.eventbus.internal.ChannelClassifier;
import io.breakwater.eventbus.internal.StreamChannel;
import io.breakwater.eventbus.internal.StreamNames;
import io.breakwater.interceptors.FailureClassifier;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes events to streams, one circuit breaker per stream ({@code eventbus-{stream}}), over a
 * {@link RedpandaTransport} with its transport-wide breaker.
 *
 * <p>{@link #publishStream(String, Object)} never drops an event silently: the future completes with
 * where the event went, or fails, on every path (a fallback or codec that throws included). When a breaker
 * refuses, it fails at once with a {@link CircuitBreakerOpenException} naming that breaker (the stream's, or
 * {@code redpanda_transport}); a stream may have a {@link PublishFallback} that takes the event instead.
 * Breakers stay separate: a stream's breaker records only its own outcomes (one bad topic opens only its
 * own breaker), and the transport breaker opens only when the cluster answers nobody.
 */
public final class EventBus implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);

    private final RedpandaTransport transport;
    private final CircuitBreakerRegistry registry;
    private final CircuitBreakerConfig defaultChannelConfig;
    private final Map<String, CircuitBreakerConfig> channelConfigs;
    private final Map<String, PublishFallback> fallbacks;
    private final String topicPrefix;
    private final Clock clock;
    private final Duration sendBlockThreshold;
    private final Duration inFlightThreshold;
    private final FailureClassifier classifier = ChannelClassifier.INSTANCE;
    private final ConcurrentMap<String, StreamChannel> channels = new ConcurrentHashMap<>();
    private final List<Subscription> statusSubscriptions;
    // The header every event carries, made once.
    private final Map<String, String> contentType;
    private volatile boolean closed;

    EventBus(EventBusBuilder b) {
        this.transport = b.transport;
        var store = b.store();
        this.defaultChannelConfig = EventBusBuilder.withStore(b.defaultChannelConfig, store);
        this.registry = b.registry != null ? b.registry : new CircuitBreakerRegistry(defaultChannelConfig);
        this.channelConfigs = b.effectiveChannelConfigs(store);
        this.fallbacks = Map.copyOf(b.fallbacks);
        this.topicPrefix = b.topicPrefix;
        this.clock = b.clock != null ? b.clock : defaultChannelConfig.clock();
        this.contentType = Map.of("content-type", transport.codec().contentType());
        this.sendBlockThreshold = b.sendBlockThreshold;
        this.inFlightThreshold = b.inFlightThreshold;
        this.statusSubscriptions = b.statusPublisher == null ? List.of()
                : List.of(b.statusPublisher.attach(registry), b.statusPublisher.attach(transport.breaker()));
    }

    public static EventBusBuilder builder(RedpandaTransport transport) {
        return new EventBusBuilder(transport);
    }

    /** Publishes {@code event} to {@code stream}, with no key and no extra headers. */
    public CompletableFuture<PublishResult> publishStream(String stream, Object event) {
        return publishStream(stream, null, event, Map.of());
    }

    /**
     * Publishes {@code event} to {@code stream} with {@code key} (may be null) and {@code headers}.
     *
     * @return a future that completes with where the event went, or fails: with
     *         {@link CircuitBreakerOpenException} at once when a breaker refuses, with
     *         {@code SerializationException} when the codec cannot encode the event, or with the producer's error
     * @throws IllegalArgumentException when the stream's topic name would break Kafka's rules, or a header
     *         name is null or empty
     * @throws NullPointerException     when {@code stream} or {@code event} is null
     * @throws IllegalStateException    when the bus is closed
     */
    public CompletableFuture<PublishResult> publishStream(String stream, String key, Object event, Map<String, String> headers) {
        Objects.requireNonNull(event, "event");
        // The caller's mistakes are refused before a permit is taken: they must never count against a stream.
        RedpandaTransport.headers(headers);
        if (closed) {
            throw new IllegalStateException("the EventBus is closed");
        }
        StreamChannel channel = channel(stream);
        Permit permit = channel.breaker.tryAcquirePermit();
        if (permit == null) {
            return fail(stream, key, event, channel.breaker.openException());
        }
        byte[] payload;
        try {
            payload = transport.encode(event);
        } catch (Throwable e) {
            channel.breaker.recordIgnored(permit);
            return fail(stream, key, event, e);
        }
        Map<String, String> allHeaders = contentType;
        if (headers != null && !headers.isEmpty()) {
            allHeaders = new LinkedHashMap<>(contentType);
            allHeaders.putAll(headers);
        }
        Publish publish = new Publish(channel, permit, key, event);
        channel.tracker.begin(publish);
        CompletableFuture<RecordMetadata> sent;
        try {
            sent = transport.send(channel.topic, key, payload, allHeaders);
        } catch (Throwable e) {
            if (channel.tracker.answer(publish)) {
                channel.breaker.recordIgnored(permit);
            }
            return fail(stream, key, event, e);
        }
        channel.tracker.returned(publish);
        sent.whenComplete(publish::completed);
        return publish.result;
    }

    /** One publish in flight: its permit, its tracking, and the caller's future, completed on every path. */
    private final class Publish extends CallTracker.Call {
        final StreamChannel channel;
        final Permit permit;
        final String key;
        final Object event;
        final CompletableFuture<PublishResult> result = new CompletableFuture<>();

        Publish(StreamChannel channel, Permit permit, String key, Object event) {
            super(clock.nanoTime());
            this.channel = channel;
            this.permit = permit;
            this.key = key;
            this.event = event;
        }

        void completed(RecordMetadata metadata, Throwable error) {
            Throwable cause = error == null ? null : Throwables.unwrap(error);
            try {
                if (channel.tracker.answer(this)) {
                    record(cause, clock.nanoTime() - startNanos());
                }
            } finally {
                if (cause == null) {
                    result.complete(new PublishResult(metadata.topic(), metadata.partition(), metadata.offset(), metadata.timestamp()));
                } else {
                    fail(channel.stream, key, event, cause).whenComplete((fallback, fallbackError) -> {
                        if (fallbackError == null) {
                            result.complete(fallback);
                        } else {
                            result.completeExceptionally(Throwables.unwrap(fallbackError));
                        }
                    });
                }
            }
        }

        private void record(Throwable cause, long elapsedNanos) {
            if (cause == null) {
                channel.succeeded();
                channel.breaker.recordSuccess(permit, elapsedNanos);
            } else if (closed || cause instanceof CircuitBreakerOpenException || !classifier.countsAsFailure(cause)) {
                // The bus's own close, a refusal of the transport breaker (the stream was not tried), or the
                // event's own fault: none of them says anything about the stream.
                channel.breaker.recordIgnored(permit);
            } else {
                channel.breaker.recordFailure(permit, cause, elapsedNanos);
            }
        }

        @Override
        protected void expired(boolean blocked, long ageNanos) {
            if (closed) {
                channel.breaker.recordIgnored(permit);
                return;
            }
            channel.breaker.recordFailure(permit, blocked
                    ? "send() blocked for " + ageNanos / 1_000_000 + " ms (sendBlockThreshold=" + sendBlockThreshold.toMillis() + ")"
                    : "no acknowledgement for " + ageNanos / 1_000_000 + " ms (inFlightThreshold=" + inFlightThreshold.toMillis() + ")");
        }
    }

    /** The stream's fallback, or a failed future; a fallback that throws or returns null fails the future with that. */
    private CompletableFuture<PublishResult> fail(String stream, String key, Object event, Throwable cause) {
        PublishFallback fallback = fallbacks.get(stream);
        if (fallback == null) {
            return CompletableFuture.failedFuture(cause);
        }
        try {
            CompletionStage<PublishResult> stage = fallback.onFailure(stream, key, event, cause);
            if (stage == null) {
                throw new NullPointerException("the fallback of stream '" + stream + "' returned null instead of a stage");
            }
            return stage.toCompletableFuture();
        } catch (Throwable e) {
            e.addSuppressed(cause);
            LOG.warn("Fallback of stream '{}' failed", stream, e);
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The channel of {@code stream}, made on first use; its breaker is restored without holding any map lock. */
    private StreamChannel channel(String stream) {
        StreamChannel existing = channels.get(Objects.requireNonNull(stream, "stream"));
        if (existing != null) {
            return existing;
        }
        String topic = StreamNames.topic(topicPrefix, stream);
        CircuitBreaker breaker = registry.getOrCreate(BreakerPresets.KAFKA_CHANNEL_PREFIX + stream,
                channelConfigs.getOrDefault(stream, defaultChannelConfig));
        StreamChannel fresh = new StreamChannel(stream, topic, breaker, clock, sendBlockThreshold, inFlightThreshold);
        existing = channels.putIfAbsent(stream, fresh);
        if (existing != null) {
            fresh.close();
            return existing;
        }
        if (closed) {
            fresh.close();
        }
        return fresh;
    }

    /** The topic of {@code stream}: the topic prefix, then the stream name. */
    public String topicFor(String stream) {
        return StreamNames.topic(topicPrefix, stream);
    }

    /** The breaker of {@code stream}, {@code eventbus-{stream}}, created on first use. */
    public CircuitBreaker channelBreaker(String stream) {
        return channel(stream).breaker;
    }

    /** The transport-wide breaker. */
    public CircuitBreaker transportBreaker() {
        return transport.breaker();
    }

    /** Every breaker of the bus (each stream's, and the transport's) by name, as it is now. */
    public Map<String, CircuitBreakerSnapshot> circuitBreakerStatus() {
        Map<String, CircuitBreakerSnapshot> status = new TreeMap<>();
        for (StreamChannel channel : channels.values()) {
            status.put(channel.breaker.name(), channel.breaker.snapshot());
        }
        status.put(transport.breaker().name(), transport.breaker().snapshot());
        return status;
    }

    /** The health report: unhealthy while any breaker is OPEN or FORCED_OPEN. */
    public HealthReport health() {
        Map<String, CircuitBreakerSnapshot> status = circuitBreakerStatus();
        List<String> open = status.values().stream().filter(s -> s.state().rejectsCalls())
                .map(CircuitBreakerSnapshot::name).sorted().toList();
        return new HealthReport(open.isEmpty(), open, open.size(), status);
    }

    /** The registry of the channel breakers. */
    public CircuitBreakerRegistry registry() {
        return registry;
    }

    /** Closes, waiting up to {@value RedpandaTransport#DEFAULT_CLOSE_TIMEOUT_SECONDS} s for events in flight. */
    @Override
    public void close() {
        close(RedpandaTransport.DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Stops watching the streams and closes the transport, waiting up to {@code timeout} for the events in
     * flight; those still unanswered then fail. Later publishes throw {@code IllegalStateException}. Idempotent.
     */
    public void close(Duration timeout) {
        Timeouts.nonNegative(timeout);
        if (closed) {
            return;
        }
        closed = true;
        channels.values().forEach(StreamChannel::close);
        statusSubscriptions.forEach(Subscription::close);
        transport.close(timeout);
    }
}
