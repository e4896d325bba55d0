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
import io.breakwater.breaker.watch.TrackerLimits;
import io.breakwater.eventbus.internal.ChannelSender;
import io.breakwater.eventbus.internal.EventHeaders;
import io.breakwater.eventbus.internal.EventIds;
import io.breakwater.eventbus.internal.Fallbacks;
import io.breakwater.eventbus.internal.Publication;
import io.breakwater.eventbus.internal.Spills;
import io.breakwater.eventbus.internal.StreamChannel;
import io.breakwater.eventbus.internal.StreamNames;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

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
 *
 * <p>With a spill ({@link EventBusBuilder#spill}), nothing is handed back for the cluster's sake: an event refused by a
 * breaker or failed for want of the cluster is appended, durably, and its future completes with {@link
 * PublishResult#spilled()}; later events of its stream follow it into the spill. Once the breakers admit calls again
 * (or when a new bus starts on a spill left by an earlier process) the spilled events are sent in their original order,
 * each removed only after its acknowledgement. Once the replay has handed the producer every event the spill holds for
 * a stream, its new events go directly, behind them: a steady load leaves the spill (with events always on their way in,
 * new ones are held in memory, briefly, until those are replayed too, then sent first); should one of them fail then, it
 * stays in the spill and is sent again, but an event sent behind it meanwhile is not held back (as with any two
 * publishes in flight). Delivery is at-least-once: consumers drop duplicates by the {@value #EVENT_ID_HEADER} header.
 */
public final class EventBus implements AutoCloseable {

    /** The header of every event: an id unique to the event, by which consumers drop duplicates. */
    public static final String EVENT_ID_HEADER = "breakwater-event-id";
    /** The header of a record sent from the spill: which send of its event from there this is (1, 2, ...), as text. */
    public static final String REPLAY_HEADER = "breakwater-replay";

    private final RedpandaTransport transport;
    private final CircuitBreakerRegistry registry;
    private final CircuitBreakerConfig defaultChannelConfig;
    private final Map<String, CircuitBreakerConfig> channelConfigs;
    private final Fallbacks fallbacks;
    private final String topicPrefix;
    private final Clock clock;
    private final TrackerLimits trackerLimits;   // of every stream's tracker
    private final java.util.function.BooleanSupplier credentialsRefused;   // the transport's logins are refused; one for all
    private final Duration sendBlockThreshold;
    private final Duration inFlightThreshold;
    private final ChannelSender sender;
    private final EventIds ids = new EventIds();
    private final Spills spills;   // null without a spill
    private final ConcurrentMap<String, StreamChannel> channels = new ConcurrentHashMap<>();
    private final List<Subscription> statusSubscriptions;
    private final EventHeaders eventHeaders;   // of every event, the content type made once
    private final Publication.Bus publications;
    private volatile boolean closed;

    EventBus(EventBusBuilder b) {
        this.transport = b.transport;
        var store = b.store();
        this.defaultChannelConfig = EventBusBuilder.withStore(b.defaultChannelConfig, store);
        this.registry = b.registry != null ? b.registry : new CircuitBreakerRegistry(defaultChannelConfig);
        this.channelConfigs = b.effectiveChannelConfigs(store);
        this.fallbacks = new Fallbacks(b.fallbacks);
        this.topicPrefix = b.topicPrefix;
        this.clock = b.clock != null ? b.clock : defaultChannelConfig.clock();
        this.eventHeaders = new EventHeaders(transport.codec().contentType(), EVENT_ID_HEADER);
        this.sendBlockThreshold = b.sendBlockThreshold;
        this.inFlightThreshold = b.inFlightThreshold;
        this.sender = new ChannelSender(transport, clock, () -> closed, sendBlockThreshold, inFlightThreshold);
        this.publications = new Publication.Bus(fallbacks, eventHeaders, ids, sender);
        // A stream's events wait in line in the transport's queue and Kafka's buffer (TrackerLimits.inLine).
        this.trackerLimits = new TrackerLimits(clock::nanoTime, sendBlockThreshold, inFlightThreshold,
                StreamChannel.TRACKED, true).inLine();
        this.credentialsRefused = sender::credentialsRefused;
        this.statusSubscriptions = b.attachments(registry, transport.breaker());
        // Null without a spill: then no class of breakwater-spill (an optional dependency) is ever loaded.
        this.spills = b.spill == null && b.streamSpills.isEmpty() ? null : new Spills(b.spill, b.streamSpills, sender);
        if (spills != null) {   // streams whose events an earlier run left in the spill: their replay starts now
            spills.resume(this::channel, () -> {
                channels.values().forEach(StreamChannel::close);
                statusSubscriptions.forEach(Subscription::close);
            });
        }
    }

    public static EventBusBuilder builder(RedpandaTransport transport) {
        return new EventBusBuilder(transport);
    }

    /** Publishes {@code event} to {@code stream}, with no key and no extra headers. */
    public CompletableFuture<PublishResult> publishStream(String stream, Object event) {
        return publishStream(stream, null, event, Map.of());
    }

    /**
     * Publishes {@code event} to {@code stream} with {@code key} (may be null) and {@code headers}; every event
     * also carries a unique {@value #EVENT_ID_HEADER} header. Never blocks: the transport sends from a thread of
     * its own, and a spill appends from one.
     *
     * @return a future that completes with where the event went, or fails: with
     *         {@link CircuitBreakerOpenException} at once when a breaker refuses, with
     *         {@code SerializationException} when the codec cannot encode the event, or with the producer's error.
     *         With a spill, a refused or unavailable publish completes instead once the event is durable in the
     *         spill ({@link PublishResult#spilled()}); a full spill fails it at once with {@code SpillFullException}.
     * @throws IllegalArgumentException when the stream's topic name would break Kafka's rules, or a header
     *         name is null or empty
     * @throws NullPointerException     when {@code stream} or {@code event} is null
     * @throws IllegalStateException    when the bus is closed
     */
    public CompletableFuture<PublishResult> publishStream(String stream, String key, Object event, Map<String, String> headers) {
        Objects.requireNonNull(event, "event");
        // The caller's mistakes are refused before anything is counted: they must never count against a stream.
        RedpandaTransport.headers(headers);
        if (closed) {
            throw new IllegalStateException("the EventBus is closed");
        }
        StreamChannel channel = channel(stream);
        // Without a spill, the stream's permit and then the transport's breaker come first: nothing is encoded, made or
        // queued for an event that cannot go. (With one, a refused event is spilled: the send asks once it is encoded.)
        Permit permit = null;
        if (channel.spill == null) {
            if ((permit = channel.breaker.tryAcquirePermit()) == null) {
                return fallbacks.fail(stream, key, event, channel.breaker.openException());
            }
            RuntimeException refused = transport.breaker().refusalNow();
            if (refused != null) {
                channel.refusedByTransport(permit, clock.nanoTime());
                return fallbacks.fail(stream, key, event, refused);
            }
        }
        byte[] payload;
        try {
            payload = transport.encode(event);
        } catch (Throwable e) {
            giveBack(channel, permit);
            return fallbacks.fail(stream, key, event, e);
        }
        Publication publication;
        long admitted = 0; // none yet
        try {
            // The caller's headers copied (they may change them later) with the id; none without: see Publication.id().
            byte[] id = null;
            Map<String, String> text = null;
            if (headers != null && !headers.isEmpty()) {
                id = ids.next();
                text = eventHeaders.text(headers, EventIds.text(id));
            }
            admitted = channel.admit();
            long order = StreamChannel.order(admitted);
            if (admitted < 0) {
                // Events of the stream wait in the spill: this one goes behind them, never around them.
                String idText = EventIds.text(id != null ? id : ids.next());
                return channel.spill.append(channel, channel.topic, key, payload, eventHeaders.forSpill(text, idText), order,
                        idText);
            }
            publication = new Publication(publications, channel, key, event, payload, text, id, order);
        } catch (Throwable e) {   // headers the caller changed meanwhile, no memory left
            channel.unadmit(admitted);
            giveBack(channel, permit);
            throw e;
        }
        channel.send(sender, publication, permit, admitted);
        return publication.result();
    }

    /**
     * Gives back {@code permit} (none: null), taken for a send that a throw stopped before it was made, so that in
     * HALF_OPEN its trial is free again rather than held until the trials expire.
     */
    private static void giveBack(StreamChannel channel, Permit permit) {
        if (permit != null) {
            channel.breaker.releasePermit(permit);
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
        StreamChannel fresh = new StreamChannel(stream, topic, breaker, clock, trackerLimits,
                spills == null ? null : spills.frontOf(stream), credentialsRefused);
        if (spills != null) {
            spills.prepare(fresh);
        }
        existing = channels.putIfAbsent(stream, fresh);
        if (existing != null) {
            fresh.close();
            return existing;
        }
        if (spills != null) {
            spills.watch(fresh);
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

    /** The health report: unhealthy while any breaker is OPEN or FORCED_OPEN, or any spill is full. */
    public HealthReport health() {
        Map<String, CircuitBreakerSnapshot> status = circuitBreakerStatus();
        List<String> open = status.values().stream().filter(s -> s.state().rejectsCalls())
                .map(CircuitBreakerSnapshot::name).sorted().toList();
        List<SpillStatus> spills = spillStatus();
        return new HealthReport(open.isEmpty() && spills.stream().noneMatch(SpillStatus::full), open, open.size(), status, spills);
    }

    /** Every spill of the bus (its own and the streams'), as it is now; empty without one. */
    public List<SpillStatus> spillStatus() {
        return spills == null ? List.of() : spills.status();
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
     * Stops watching the streams and closes the transport, waiting up to {@code timeout} for events in flight; those
     * unanswered then fail (or, with a spill, are appended to it). Then stops replaying and closes every spill store
     * (what they throw is thrown once all are closed). Later publishes throw {@code IllegalStateException}. Idempotent.
     */
    public void close(Duration timeout) {
        Timeouts.nonNegative(timeout);
        if (closed) {
            return;
        }
        closed = true;
        channels.values().forEach(StreamChannel::close);
        statusSubscriptions.forEach(Subscription::close);
        long deadline = System.nanoTime() + Timeouts.deadlineNanos(timeout);
        try {
            transport.close(timeout);
        } finally {
            // Events that failed in flight went to the spill meanwhile: they are appended before it closes.
            if (spills != null) {
                spills.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
        }
    }
}
