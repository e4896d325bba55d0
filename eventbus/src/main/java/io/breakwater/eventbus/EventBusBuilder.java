package io.breakwater.eventbus;

import io.breakwater.breaker.Timeouts;
import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.BreakerStateStore;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Subscription;
import io.breakwater.eventbus.internal.StreamNames;
import io.breakwater.status.ControlFollower;
import io.breakwater.status.StatusPublisher;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Options of an {@link EventBus}; from {@link EventBus#builder(RedpandaTransport)}. */
public final class EventBusBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(EventBusBuilder.class);
    /** How long the status topic may take to read when restoring; stream breakers wait for it at most their stateRestoreWait. */
    static final Duration RESTORE_READ_TIMEOUT = Duration.ofSeconds(5);

    final RedpandaTransport transport;
    CircuitBreakerRegistry registry;
    CircuitBreakerConfig defaultChannelConfig = BreakerPresets.kafkaChannel("default");
    final Map<String, CircuitBreakerConfig> channelConfigs = new HashMap<>();
    final Map<String, PublishFallback> fallbacks = new HashMap<>();
    String topicPrefix = "";
    Clock clock;
    Duration sendBlockThreshold = Duration.ofSeconds(1);
    Duration inFlightThreshold = Duration.ofSeconds(2);
    StatusPublisher statusPublisher;
    ControlFollower controlFollower;
    Duration controlReadTimeout = Duration.ofSeconds(5);
    boolean restoreState = true;
    BreakerStateStore stateStore;
    io.breakwater.spill.SpillStore spill;
    final Map<String, io.breakwater.spill.SpillStore> streamSpills = new HashMap<>();

    EventBusBuilder(RedpandaTransport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    /** The registry of the channel breakers (default: one of the bus's own). */
    public EventBusBuilder registry(CircuitBreakerRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        return this;
    }

    /** The config of every stream's breaker unless set per stream (default: the kafka channel preset). */
    public EventBusBuilder defaultChannelConfig(CircuitBreakerConfig config) {
        this.defaultChannelConfig = Objects.requireNonNull(config, "config");
        return this;
    }

    /** The config of {@code stream}'s breaker. */
    public EventBusBuilder channelConfig(String stream, CircuitBreakerConfig config) {
        StreamNames.topic("", stream);
        channelConfigs.put(stream, Objects.requireNonNull(config, "config"));
        return this;
    }

    /** What to do with events of {@code stream} that cannot be published. */
    public EventBusBuilder fallback(String stream, PublishFallback fallback) {
        StreamNames.topic("", stream);
        fallbacks.put(stream, Objects.requireNonNull(fallback, "fallback"));
        return this;
    }

    /** Topics are this prefix plus the stream name (default: none, the stream name is the topic). */
    public EventBusBuilder topicPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.isEmpty()) {
            StreamNames.prefix(prefix);
        }
        this.topicPrefix = prefix;
        return this;
    }

    /** The clock of publish durations (default: the channel config's). */
    public EventBusBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * The block threshold of the stream trackers (default 1 s; must be > 0). A stream's clock starts when its
     * event is handed to Kafka, so a wait there counts against the in-flight threshold; Kafka's {@code send()}
     * blocking is the transport's to count (its own {@code breakwater.send.block.threshold.ms}).
     */
    public EventBusBuilder sendBlockThreshold(Duration threshold) {
        this.sendBlockThreshold = Timeouts.positive("sendBlockThreshold", threshold);
        return this;
    }

    /**
     * A publish unanswered longer than this, with no publish of its stream made before it acknowledged meanwhile, counts
     * against its stream (default 2 s; must be > 0): a backlog the cluster works through is no failure.
     */
    public EventBusBuilder inFlightThreshold(Duration threshold) {
        this.inFlightThreshold = Timeouts.positive("inFlightThreshold", threshold);
        return this;
    }


    /**
     * Publishes every transition of the bus's breakers (channels and transport) through {@code publisher};
     * the stream breakers then also start from the state this instance last published there (see
     * {@link #restoreState(boolean)}).
     */
    public EventBusBuilder statusPublisher(StatusPublisher publisher) {
        this.statusPublisher = Objects.requireNonNull(publisher, "publisher");
        return this;
    }

    /**
     * Makes the bus's breakers (channels and transport) follow operators' commands on the control topic through
     * {@code follower} (which the caller closes); with a status publisher, the applied state is reported there.
     * {@link #build()} waits up to {@link #controlReadTimeout(Duration)} for the follower to read the topic, so that a
     * standing command holds before the first publish (a stream's breaker follows it from its creation on).
     */
    public EventBusBuilder controlFollower(ControlFollower follower) {
        this.controlFollower = Objects.requireNonNull(follower, "follower");
        return this;
    }

    /**
     * How long {@link #build()} waits for the control follower to read the control topic (default 5 s; zero: do not
     * wait, commands hold once the topic is read). Not waited for without a control follower.
     */
    public EventBusBuilder controlReadTimeout(Duration timeout) {
        this.controlReadTimeout = Timeouts.nonNegative(timeout);
        return this;
    }

    /** The status publisher's attachments of the bus's breakers, then the control follower's (those given). */
    List<Subscription> attachments(CircuitBreakerRegistry registry, CircuitBreaker transportBreaker) {
        List<Subscription> attached = new ArrayList<>();
        try {
            if (statusPublisher != null) {
                attached.add(statusPublisher.attach(registry));
                attached.add(statusPublisher.attach(transportBreaker));
            }
            if (controlFollower != null) {
                attached.add(controlFollower.attach(registry));
                attached.add(controlFollower.attach(transportBreaker));
                awaitControlRead();
            }
        } catch (RuntimeException e) {
            attached.forEach(Subscription::close); // a closed publisher or follower: undo what was attached
            throw e;
        }
        return List.copyOf(attached);
    }

    private void awaitControlRead() {
        try {
            if (!controlReadTimeout.isZero() && !controlFollower.awaitCaughtUp(controlReadTimeout)) {
                LOG.warn("Control topic {} not read within {} ms ({}); the bus's breakers follow its commands once it is",
                        controlFollower.topic(), controlReadTimeout.toMillis(), controlFollower.lastError().orElse("reading"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether stream breakers start from the state last published to the status topic (default: yes, with a publisher). */
    public EventBusBuilder restoreState(boolean restore) {
        this.restoreState = restore;
        return this;
    }

    /** Where the stream breakers keep their state across restarts (instead of the status topic). */
    public EventBusBuilder stateStore(BreakerStateStore store) {
        this.stateStore = Objects.requireNonNull(store, "store");
        return this;
    }

    /**
     * Spills every stream's events to {@code store} while they cannot be published, and replays them later
     * (see {@link EventBus}). The bus closes the store when it closes. Needs {@code breakwater-spill} on the
     * class path.
     */
    public EventBusBuilder spill(io.breakwater.spill.SpillStore store) {
        this.spill = Objects.requireNonNull(store, "store");
        return this;
    }

    /** Spills {@code stream}'s events to {@code store} (instead of the bus's spill, if there is one). */
    public EventBusBuilder spill(String stream, io.breakwater.spill.SpillStore store) {
        StreamNames.topic("", stream);
        streamSpills.put(stream, Objects.requireNonNull(store, "store"));
        return this;
    }

    public EventBus build() {
        return new EventBus(this);
    }

    /** Where the stream breakers keep their state: the given store, else the status topic if restoring. */
    BreakerStateStore store() {
        if (stateStore != null) {
            return stateStore;
        }
        return statusPublisher != null && restoreState ? statusPublisher.stateStore(RESTORE_READ_TIMEOUT) : null;
    }

    /** The channel configs as the bus uses them: each with the one store of the bus, if there is one. */
    Map<String, CircuitBreakerConfig> effectiveChannelConfigs(BreakerStateStore store) {
        Map<String, CircuitBreakerConfig> configs = new HashMap<>();
        channelConfigs.forEach((stream, config) -> configs.put(stream, withStore(config, store)));
        return Map.copyOf(configs);
    }

    static CircuitBreakerConfig withStore(CircuitBreakerConfig config, BreakerStateStore store) {
        return store == null || config.stateStore().isPresent() ? config : CircuitBreakerConfig.from(config).stateStore(store).build();
    }
}
