package io.breakwater.status;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.Timeouts;
import io.breakwater.status.internal.Attachments;
import io.breakwater.status.internal.PublisherCore;
import io.breakwater.status.internal.SharedByKey;
import io.breakwater.status.internal.Subscriptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what the breakers of one instance do to the status topic, with a producer and a thread of its own:
 * each breaker's state when it is attached ({@code started}), every transition, and its last state when it is
 * detached ({@code stopped}), keyed {@code {instance}/{breaker}}; and a heartbeat of the instance every
 * {@linkplain #heartbeatInterval() interval} (default {@value #DEFAULT_HEARTBEAT_SECONDS} s), keyed {@code {instance}},
 * then its clean stop when the last handle is closed. {@link #publish(StatusMessage)} only queues, so it never blocks
 * the caller (it may run on a Kafka network thread). While the cluster cannot be reached the events wait, in order per
 * key; a key holds at most {@value PublisherCore#MAX_EVENTS_PER_KEY} events, beyond which the oldest are dropped
 * (counted) and the latest state always stays. The topic is created, compacted, if missing; one that is not
 * compacted is used with a warning. Thread-safe.
 *
 * <p><b>One per instance.</b> Publishers with the same bootstrap servers (in any order), topic and instance id share
 * one producer and thread in a JVM: each {@link #create} returns a handle, and the last handle closed flushes and stops
 * them, so that the instance has one heartbeat and one clean stop. A later handle with other client settings (rotated
 * credentials, say) is warned of, naming the keys that differ, and its settings replace the producer's from its next
 * send: the newest win. A breaker attached twice (by an interceptor and a wrapper with the same breaker name,
 * say) is published once, and an event that is not newer than the last one of its key is skipped, so
 * readers never see a transition twice.
 *
 * <p><b>Stopped, not a tombstone.</b> A clean shutdown publishes a {@code stopped} event per breaker and an
 * {@code instance-stopped} event, not tombstones: a tombstone carries no time and no sequence, so a reader could not
 * tell it from an older record, compaction would soon make a stopped instance look like one that never existed, and
 * the breaker's last state (which {@link KafkaStateStore} restores at the next start) would be gone.
 */
public final class StatusPublisher implements AutoCloseable {

    /** How long {@link #close()} may take to publish what is still waiting. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** How often an instance publishes a heartbeat unless told otherwise. */
    public static final int DEFAULT_HEARTBEAT_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(StatusPublisher.class);

    // The client settings hold passwords: its text names their keys alone.
    record Key(Map<String, Object> clientConfig, String topic, String instanceId) {
        @Override
        public String toString() {
            return "Key[topic=" + topic + ", instanceId=" + instanceId + ", clientConfig keys=" + new TreeSet<>(clientConfig.keySet()) + "]";
        }
    }

    // What a core is shared by: the cluster (its bootstrap servers, in any order), the topic and the instance; not the other
    // settings: two cores of one instance would each count heartbeats from 1, and the first stop hide the other's breakers.
    record Identity(Set<String> servers, String topic, String instanceId) {
        static Identity of(Key key) {
            Set<String> servers = new TreeSet<>();
            for (String server : String.valueOf(key.clientConfig().get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)).split(",")) {
                servers.add(server.trim());
            }
            return new Identity(Set.copyOf(servers), key.topic(), key.instanceId());
        }
    }

    private record Shared(PublisherCore core, Attachments attached) {
        Shared(PublisherCore core) {
            this(core, new Attachments(core));
        }
    }

    // Every live core by identity, with its handles.
    private static final SharedByKey<Identity, Shared> SHARED = new SharedByKey<>();

    private final Key key;
    private final Shared shared;
    // What this handle attached, to detach on close.
    private final Subscriptions subscriptions;

    private StatusPublisher(Key key, Shared shared) {
        this.key = key;
        this.subscriptions = new Subscriptions("the status publisher for " + key.topic());
        this.shared = shared;
    }

    /**
     * A publisher for {@code topic} and {@code instanceId}, with the client settings of {@code clientConfig}
     * (connection and security: what {@link StatusClients} keeps, each setting replaced by its
     * {@code breakwater.status.}-prefixed form where that is given) and a heartbeat every
     * {@value #DEFAULT_HEARTBEAT_SECONDS} s. Shares the producer of any open publisher of the instance on that cluster.
     *
     * @throws org.apache.kafka.common.config.ConfigException when no usable bootstrap server is configured
     * @throws IllegalArgumentException when the topic or the instance id is blank
     */
    public static StatusPublisher create(Map<String, ?> clientConfig, String topic, String instanceId) {
        return create(clientConfig, topic, instanceId, Duration.ofSeconds(DEFAULT_HEARTBEAT_SECONDS));
    }

    /**
     * {@link #create(Map, String, String)} with a heartbeat every {@code heartbeatInterval}, from 100 ms to 1 day. A
     * handle on a publisher that is already open keeps that publisher's interval (logged when it differs).
     *
     * @throws IllegalArgumentException also when the interval is out of range
     */
    public static StatusPublisher create(Map<String, ?> clientConfig, String topic, String instanceId,
                                         Duration heartbeatInterval) {
        Map<String, Object> client = StatusClients.of(Objects.requireNonNull(clientConfig, "clientConfig"),
                "the Breakwater status publisher");
        Checks.requireTopic(topic);
        Checks.requireInstanceId(instanceId);
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        if (heartbeatInterval.toMillis() < 100 || heartbeatInterval.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("heartbeatInterval must be in [100 ms, 1 day], but was " + heartbeatInterval);
        }
        Key key = new Key(Map.copyOf(client), topic, instanceId);
        Shared shared = SHARED.acquire(Identity.of(key), () -> new Shared(new PublisherCore(key.clientConfig(), topic,
                instanceId, heartbeatInterval, Clock.system())), made -> made.core().discard());
        Set<String> differ = differingKeys(shared.core().clientConfig(), key.clientConfig());
        if (!differ.isEmpty()) {   // the newest settings win: rotated credentials reach the one producer
            shared.core().useSettings(key.clientConfig());
            LOG.warn("Status publisher for {} of instance {} is open already with other client settings ({} differ); "
                    + "this one shares it, and its settings replace those from the next send: one instance publishes "
                    + "through one producer", topic, instanceId, differ);
        }
        if (!shared.core().heartbeatInterval().equals(heartbeatInterval)) {
            LOG.info("Status publisher for {} of instance {} already sends a heartbeat every {}; keeping that, not {}",
                    topic, instanceId, shared.core().heartbeatInterval(), heartbeatInterval);
        }
        return new StatusPublisher(key, shared);
    }

    public String topic() {
        return key.topic();
    }

    public String instanceId() {
        return key.instanceId();
    }

    /**
     * A state store that reads back what this publisher writes: the same cluster, topic and instance. A
     * breaker configured with it starts from the state its instance last published. The topic is read once,
     * in the background, from now; a load waits for that read at most {@code wait}.
     */
    public KafkaStateStore stateStore(Duration wait) {
        return KafkaStateStore.create(key.clientConfig(), key.topic(), key.instanceId(), wait);
    }

    /** How often this instance publishes a heartbeat. */
    public Duration heartbeatInterval() {
        return shared.core().heartbeatInterval();
    }

    /**
     * Publishes {@code breaker}'s state now ({@code started}, unless it is attached already), then every transition,
     * until the subscription or this publisher is closed; when its last attachment is closed, its last state
     * ({@code stopped}).
     */
    public Subscription attach(CircuitBreaker breaker) {
        Objects.requireNonNull(breaker, "breaker");
        subscriptions.requireOpen();
        return subscriptions.track(shared.attached().attach(breaker, Duration.ZERO));
    }

    /**
     * Publishes every breaker of {@code registry}, existing and future, as {@link #attach(CircuitBreaker)} does. A
     * breaker with a state store is announced once it is restored from it (after its {@code stateRestoreWait}), unless
     * it has made a transition by then: one the registry holds already may be being restored still, and a state
     * restored within that wait moves it without a transition.
     */
    public Subscription attach(CircuitBreakerRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        subscriptions.requireOpen();
        List<Subscription> each = new CopyOnWriteArrayList<>();
        Subscription added = registry.forEachBreaker(b -> each.add(shared.attached().attach(b,
                b.config().stateStore().isEmpty() ? Duration.ZERO : b.config().stateRestoreWait())));
        return subscriptions.track(() -> {
            added.close();
            each.forEach(Subscription::close);
        });
    }

    /** Queues {@code message}; never blocks. After the last handle is closed, it is dropped and counted. */
    public void publish(StatusMessage message) {
        shared.core().publish(Objects.requireNonNull(message, "message"));
    }

    /** Events waiting to be published. */
    public int pending() {
        return shared.core().pending();
    }

    /** What waits to be sent (for tests). */
    List<StatusMessage> waiting() {
        return shared.core().pendingMessages();
    }

    /** Events published so far (by every handle of this instance's publisher). */
    public long published() {
        return shared.core().published();
    }

    /** Events dropped: a key's queue was full, too many keys waited, the cluster refused the record, or it was closed. */
    public long dropped() {
        return shared.core().dropped();
    }

    /** Events skipped because they were not newer than the last one of their key (a breaker attached twice). */
    public long duplicates() {
        return shared.core().duplicates();
    }

    /**
     * Why the last attempt to publish failed ({@code TopicAuthorizationException} when the principal may not write the
     * topic, a timeout while the cluster is away), secrets masked; empty once an event is published. The first failure
     * of each kind is also logged, once: an authorization or authentication failure at ERROR, naming the principal.
     */
    public Optional<String> lastError() {
        return Optional.ofNullable(shared.core().errors().lastError());
    }

    /** Attempts to publish that failed (each retry counts), by every handle of this instance's publisher. */
    public long failedAttempts() {
        return shared.core().errors().failures();
    }

    /** Whether the status topic is compacted, once known. */
    public Optional<Boolean> topicCompacted() {
        return Optional.ofNullable(shared.core().topicCompacted());
    }

    /** Waits until nothing is pending, at most {@code timeout}; true when everything was published. */
    public boolean flush(Duration timeout) throws InterruptedException {
        return shared.core().flush(Objects.requireNonNull(timeout, "timeout"));
    }

    /** Closes this handle; the last one publishes what waits for up to {@link #DEFAULT_CLOSE_TIMEOUT}. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Closes this handle and detaches what it attached. Closing the last handle publishes what waits for up
     * to {@code timeout}, then stops; events still waiting then are counted as dropped and logged. Idempotent.
     */
    public void close(Duration timeout) {
        Timeouts.nonNegative(timeout);
        PublisherCore last = release();
        if (last != null) {
            last.close(timeout);
        }
    }

    /**
     * Closes this handle without waiting: the last one publishes what waits, for up to {@code timeout}, on a
     * thread of its own (not a daemon, so the JVM does not exit before it is done or out of time).
     */
    public void closeInBackground(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        PublisherCore last = release();
        if (last != null) {
            Thread closer = new Thread(() -> last.close(timeout), "breakwater-status-close");
            closer.setDaemon(false);
            closer.start();
        }
    }

    /** Detaches this handle; returns the core to close if it was the last one. */
    private PublisherCore release() {
        if (!subscriptions.close()) {
            return null;
        }
        return SHARED.release(Identity.of(key), shared) ? shared.core() : null;
    }

    // The keys whose values differ between two client settings of one identity (names only: values may be secrets).
    private static Set<String> differingKeys(Map<String, Object> a, Map<String, Object> b) {
        Set<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        keys.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        keys.removeIf(k -> Objects.equals(a.get(k), b.get(k)));
        return keys;
    }

    @Override
    public String toString() {
        return shared.core().toString();
    }
}
