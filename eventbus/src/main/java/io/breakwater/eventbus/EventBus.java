package io.breakwater.eventbus;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.BreakerStateStore;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerSnapshot;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Subscription;
import io.breakwater.eventbus.internal.ChannelClassifier;
import io.breakwater.eventbus.internal.StreamNames;
import io.breakwater.interceptors.FailureClassifier;
import io.breakwater.interceptors.StatusPublisher;
import io.breakwater.interceptors.internal.SendTracker;
import io.breakwater.interceptors.internal.Throwables;
import io.breakwater.interceptors.internal.Watchdog;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
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
 * where the event went, or fails. When a breaker refuses, it fails at once with a
 * {@link CircuitBreakerOpenException} naming that breaker (the stream's, or {@code redpanda_transport});
 * a stream may have a {@link PublishFallback} that takes the event instead. Breakers stay separate: a
 * stream's breaker records only its own outcomes (one bad topic opens only its own breaker), and the
 * transport breaker opens only when the cluster answers nobody.
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
    // Where the stream breakers keep their state across restarts, if anywhere.
    private final BreakerStateStore stateStore;
    private final ConcurrentMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final List<Subscription> statusSubscriptions = new ArrayList<>();
    // The header every event carries, made once.
    private final Map<String, String> contentType;
    private volatile boolean closed;

    /** One stream's breaker and in-flight tracker. */
    private static final class Channel {
        final String topic;
        final CircuitBreaker breaker;
        final SendTracker tracker;
        final AutoCloseable watchdog;

        Channel(String topic, CircuitBreaker breaker, SendTracker tracker) {
            this.topic = topic;
            this.breaker = breaker;
            this.tracker = tracker;
            this.watchdog = Watchdog.register(tracker);
        }
    }

    private EventBus(Builder b) {
        this.transport = b.transport;
        BreakerStateStore store = b.stateStore != null ? b.stateStore
                : b.statusPublisher != null && b.restoreState ? b.statusPublisher.stateStore(Duration.ofSeconds(5)) : null;
        this.stateStore = store;
        this.defaultChannelConfig = withStore(b.defaultChannelConfig, store);
        this.registry = b.registry != null ? b.registry : new CircuitBreakerRegistry(defaultChannelConfig);
        Map<String, CircuitBreakerConfig> configs = new HashMap<>();
        b.channelConfigs.forEach((stream, config) -> configs.put(stream, withStore(config, store)));
        this.channelConfigs = Map.copyOf(configs);
        this.fallbacks = Map.copyOf(b.fallbacks);
        this.topicPrefix = b.topicPrefix;
        this.clock = b.clock != null ? b.clock : defaultChannelConfig.clock();
        this.contentType = Map.of("content-type", transport.codec().contentType());
        this.sendBlockThreshold = b.sendBlockThreshold;
        this.inFlightThreshold = b.inFlightThreshold;
        if (b.statusPublisher != null) {
            statusSubscriptions.add(b.statusPublisher.attach(registry));
            statusSubscriptions.add(b.statusPublisher.attach(transport.breaker()));
        }
    }

    private static CircuitBreakerConfig withStore(CircuitBreakerConfig config, BreakerStateStore store) {
        return store == null || config.stateStore().isPresent() ? config : CircuitBreakerConfig.from(config).stateStore(store).build();
    }

    public static Builder builder(RedpandaTransport transport) {
        return new Builder(transport);
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
     * @throws IllegalArgumentException when the stream's topic name would break Kafka's rules
     * @throws NullPointerException     when {@code stream} or {@code event} is null
     */
    public CompletableFuture<PublishResult> publishStream(String stream, String key, Object event, Map<String, String> headers) {
        Objects.requireNonNull(event, "event");
        if (closed) {
            throw new IllegalStateException("the EventBus is closed");
        }
        Channel channel = channel(stream);
        if (!channel.breaker.canExecute()) {
            return fail(stream, key, event, channel.breaker.openException());
        }
        byte[] payload;
        try {
            payload = transport.encode(event);
        } catch (RuntimeException e) {
            channel.breaker.recordIgnored();
            return fail(stream, key, event, e);
        }
        Map<String, String> allHeaders;
        if (headers == null || headers.isEmpty()) {
            allHeaders = contentType;
        } else {
            allHeaders = new LinkedHashMap<>(contentType);
            allHeaders.putAll(headers);
        }
        long start = clock.nanoTime();
        long ticket = channel.tracker.begin(start);
        CompletableFuture<RecordMetadata> sent = transport.send(channel.topic, key, payload, allHeaders);
        channel.tracker.sendReturned(ticket, start);
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        sent.whenComplete((metadata, error) -> {
            Throwable cause = Throwables.unwrap(error);
            if (channel.tracker.answer(ticket, start)) {
                record(channel.breaker, cause, clock.nanoTime() - start);
            }
            if (cause == null) {
                result.complete(new PublishResult(metadata.topic(), metadata.partition(), metadata.offset(), metadata.timestamp()));
            } else {
                fail(stream, key, event, cause).whenComplete((fallback, fallbackError) -> {
                    if (fallbackError == null) {
                        result.complete(fallback);
                    } else {
                        result.completeExceptionally(Throwables.unwrap(fallbackError));
                    }
                });
            }
        });
        return result;
    }

    private void record(CircuitBreaker breaker, Throwable cause, long elapsedNanos) {
        if (cause == null) {
            breaker.recordSuccess(elapsedNanos);
        } else if (cause instanceof CircuitBreakerOpenException || !classifier.countsAsFailure(cause)) {
            // Refused by the transport breaker (the stream was not tried) or the event's own fault.
            breaker.recordIgnored();
        } else {
            breaker.recordFailure(cause, elapsedNanos);
        }
    }

    private CompletableFuture<PublishResult> fail(String stream, String key, Object event, Throwable cause) {
        PublishFallback fallback = fallbacks.get(stream);
        if (fallback == null) {
            return CompletableFuture.failedFuture(cause);
        }
        try {
            return fallback.onFailure(stream, key, event, cause).toCompletableFuture();
        } catch (RuntimeException e) {
            e.addSuppressed(cause);
            LOG.warn("Fallback of stream '{}' failed", stream, e);
            return CompletableFuture.failedFuture(e);
        }
    }

    private Channel channel(String stream) {
        Channel existing = channels.get(Objects.requireNonNull(stream, "stream"));
        if (existing != null) {
            return existing;
        }
        String topic = StreamNames.topic(topicPrefix, stream);
        return channels.computeIfAbsent(stream, s -> {
            String name = BreakerPresets.KAFKA_CHANNEL_PREFIX + s;
            CircuitBreaker breaker = registry.getOrCreate(name, channelConfigs.getOrDefault(s, defaultChannelConfig));
            SendTracker tracker = new SendTracker(breaker, clock, sendBlockThreshold, inFlightThreshold,
                    "sendBlockThreshold", "inFlightThreshold", () -> true, 4096);
            return new Channel(topic, breaker, tracker);
        });
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
        for (Channel channel : channels.values()) {
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

    /** Stops watching the streams and closes the transport (which flushes). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Channel channel : channels.values()) {
            try {
                channel.watchdog.close();
            } catch (Exception e) {
                LOG.debug("watchdog release failed", e);
            }
        }
        statusSubscriptions.forEach(Subscription::close);
        transport.close();
    }

    /** Options of an {@link EventBus}. */
    public static final class Builder {
        private final RedpandaTransport transport;
        private CircuitBreakerRegistry registry;
        private CircuitBreakerConfig defaultChannelConfig = BreakerPresets.kafkaChannel("default");
        private final Map<String, CircuitBreakerConfig> channelConfigs = new HashMap<>();
        private final Map<String, PublishFallback> fallbacks = new HashMap<>();
        private String topicPrefix = "";
        private Clock clock;
        private Duration sendBlockThreshold = Duration.ofSeconds(1);
        private Duration inFlightThreshold = Duration.ofSeconds(2);
        private StatusPublisher statusPublisher;
        private boolean restoreState = true;
        private BreakerStateStore stateStore;

        private Builder(RedpandaTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
        }

        /** The registry of the channel breakers (default: one of the bus's own). */
        public Builder registry(CircuitBreakerRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** The config of every stream's breaker unless set per stream (default: the kafka channel preset). */
        public Builder defaultChannelConfig(CircuitBreakerConfig config) {
            this.defaultChannelConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The config of {@code stream}'s breaker. */
        public Builder channelConfig(String stream, CircuitBreakerConfig config) {
            StreamNames.topic("", stream);
            channelConfigs.put(stream, Objects.requireNonNull(config, "config"));
            return this;
        }

        /** What to do with events of {@code stream} that cannot be published. */
        public Builder fallback(String stream, PublishFallback fallback) {
            StreamNames.topic("", stream);
            fallbacks.put(stream, Objects.requireNonNull(fallback, "fallback"));
            return this;
        }

        /** Topics are this prefix plus the stream name (default: none, the stream name is the topic). */
        public Builder topicPrefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            if (!prefix.isEmpty()) {
                StreamNames.topic(prefix, "x");
            }
            this.topicPrefix = prefix;
            return this;
        }

        /** The clock of publish durations (default: the channel config's). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** A publish blocked longer than this counts against its stream (default 1 s). */
        public Builder sendBlockThreshold(Duration threshold) {
            this.sendBlockThreshold = Objects.requireNonNull(threshold, "sendBlockThreshold");
            return this;
        }

        /** A publish unanswered longer than this counts against its stream (default 2 s). */
        public Builder inFlightThreshold(Duration threshold) {
            this.inFlightThreshold = Objects.requireNonNull(threshold, "inFlightThreshold");
            return this;
        }

        /**
         * Publishes every transition of the bus's breakers (channels and transport) through {@code publisher};
         * the stream breakers then also start from the state this instance last published there (see
         * {@link #restoreState(boolean)}).
         */
        public Builder statusPublisher(StatusPublisher publisher) {
            this.statusPublisher = Objects.requireNonNull(publisher, "publisher");
            return this;
        }

        /** Whether stream breakers start from the state last published to the status topic (default: yes, with a publisher). */
        public Builder restoreState(boolean restore) {
            this.restoreState = restore;
            return this;
        }

        /** Where the stream breakers keep their state across restarts (instead of the status topic). */
        public Builder stateStore(BreakerStateStore store) {
            this.stateStore = Objects.requireNonNull(store, "store");
            return this;
        }

        public EventBus build() {
            return new EventBus(this);
        }
    }
}
