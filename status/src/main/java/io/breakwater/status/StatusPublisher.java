package io.breakwater.status;

import io.breakwater.breaker.Timeouts;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.Subscription;
import io.breakwater.status.internal.PublisherCore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes breaker transitions to the status topic, as one JSON event per transition keyed
 * {@code {instance}/{breaker}}, with a producer and a thread of its own. {@link #publish(StatusEvent)} only
 * queues, so it never blocks the caller (it may run on a Kafka network thread). While the cluster cannot be
 * reached the events wait, in order per key; a key holds at most {@value PublisherCore#MAX_EVENTS_PER_KEY}
 * events, beyond which the oldest are dropped (counted) and the latest state always stays. The topic is
 * created, compacted, if missing; one that is not compacted is used with a warning.
 *
 * <p><b>One per instance.</b> Publishers with the same cluster settings, topic and instance id share one
 * producer and thread in a JVM: each {@link #create} returns a handle, and the last handle closed flushes
 * and stops them. A breaker attached twice (by an interceptor and a wrapper with the same breaker name,
 * say) is published once, and an event that is not newer than the last one of its key is skipped, so
 * readers never see a transition twice.
 */
public final class StatusPublisher implements AutoCloseable {

    /** How long {@link #close()} may take to publish what is still waiting. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private record Key(Map<String, Object> clientConfig, String topic, String instanceId) {
    }

    private static final class Shared {
        final PublisherCore core;
        // Breakers attached, with how many handles attached each; guarded by SHARED.
        final Map<CircuitBreaker, Attachment> attached = new IdentityHashMap<>();
        int handles;

        Shared(PublisherCore core) {
            this.core = core;
        }
    }

    private record Attachment(Subscription subscription, int[] count) {
    }

    // Every live core by key, and its handles; guarded by itself.
    private static final Map<Key, Shared> SHARED = new HashMap<>();

    private final Key key;
    private final Shared shared;
    private final AtomicBoolean closed = new AtomicBoolean();
    // What this handle attached, to detach on close; guarded by this.
    private final List<Subscription> subscriptions = new ArrayList<>();

    private StatusPublisher(Key key, Shared shared) {
        this.key = key;
        this.shared = shared;
    }

    /**
     * A publisher for {@code topic} and {@code instanceId}, with the client settings of {@code clientConfig}
     * ({@code bootstrap.servers}, {@code security.protocol}, {@code sasl.*}, {@code ssl.*}; other keys are
     * not used). Shares the producer of any open publisher with the same settings.
     *
     * @throws org.apache.kafka.common.config.ConfigException when no usable bootstrap server is configured
     * @throws IllegalArgumentException when the topic or the instance id is blank
     */
    public static StatusPublisher create(Map<String, ?> clientConfig, String topic, String instanceId) {
        Map<String, Object> client = StatusClients.of(Objects.requireNonNull(clientConfig, "clientConfig"),
                "the Breakwater status publisher");
        requireTopic(topic);
        requireText("instanceId", instanceId);
        Key key = new Key(Map.copyOf(client), topic, instanceId);
        synchronized (SHARED) {
            Shared shared = SHARED.get(key);
            if (shared != null) {
                shared.handles++;
                return new StatusPublisher(key, shared);
            }
        }
        // A new producer (DNS, a SASL login) is made without holding the lock that every close needs.
        PublisherCore core = new PublisherCore(key.clientConfig(), topic, instanceId);
        PublisherCore extra = null;
        StatusPublisher handle;
        synchronized (SHARED) {
            Shared shared = SHARED.get(key);
            if (shared == null) {
                shared = new Shared(core);
                SHARED.put(key, shared);
            } else {
                extra = core; // another thread made one meanwhile
            }
            shared.handles++;
            handle = new StatusPublisher(key, shared);
        }
        if (extra != null) {
            extra.close(Duration.ZERO);
        }
        return handle;
    }

    /** Kafka's rule for topic names: 1 to 249 of [a-zA-Z0-9._-], not "." or "..". */
    static void requireTopic(String topic) {
        requireText("topic", topic);
        if (topic.length() > 249 || topic.equals(".") || topic.equals("..") || !topic.matches("[a-zA-Z0-9._-]+")) {
            throw new IllegalArgumentException("topic must be a Kafka topic name (1 to 249 of [a-zA-Z0-9._-], not '.' "
                    + "or '..'), but was '" + topic + "'");
        }
    }

    static void requireText(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank, but was '" + value + "'");
        }
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

    /** Publishes every transition of {@code breaker} until the subscription or this publisher is closed. */
    public Subscription attach(CircuitBreaker breaker) {
        Objects.requireNonNull(breaker, "breaker");
        synchronized (SHARED) {
            Attachment a = shared.attached.computeIfAbsent(breaker, b ->
                    new Attachment(b.onTransition(t -> shared.core.publish(StatusEvent.of(key.instanceId(), t))), new int[1]));
            a.count()[0]++;
        }
        AtomicBoolean detached = new AtomicBoolean();
        Subscription subscription = () -> {
            if (detached.compareAndSet(false, true)) {
                synchronized (SHARED) {
                    Attachment a = shared.attached.get(breaker);
                    if (a != null && --a.count()[0] == 0) {
                        shared.attached.remove(breaker);
                        a.subscription().close();
                    }
                }
            }
        };
        return track(subscription);
    }

    /** Publishes every transition of every breaker of {@code registry}, existing and future. */
    public Subscription attach(CircuitBreakerRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        return track(registry.onTransition(t -> shared.core.publish(StatusEvent.of(key.instanceId(), t))));
    }

    private synchronized Subscription track(Subscription subscription) {
        if (closed.get()) {
            subscription.close();
            throw new IllegalStateException("the status publisher for " + key.topic() + " is closed");
        }
        subscriptions.add(subscription);
        return subscription;
    }

    /** Queues {@code event}; never blocks. After the last handle is closed, the event is dropped and counted. */
    public void publish(StatusEvent event) {
        shared.core.publish(Objects.requireNonNull(event, "event"));
    }

    /** Events waiting to be published. */
    public int pending() {
        return shared.core.pending();
    }

    /** Events published so far (by every handle of this instance's publisher). */
    public long published() {
        return shared.core.published();
    }

    /** Events dropped because a key's queue was full, too many keys waited, or the publisher was closed. */
    public long dropped() {
        return shared.core.dropped();
    }

    /** Events skipped because they were not newer than the last one of their key (a breaker attached twice). */
    public long duplicates() {
        return shared.core.duplicates();
    }

    /** Whether the status topic is compacted, once known. */
    public Optional<Boolean> topicCompacted() {
        return Optional.ofNullable(shared.core.topicCompacted());
    }

    /** Waits until nothing is pending, at most {@code timeout}; true when everything was published. */
    public boolean flush(Duration timeout) throws InterruptedException {
        return shared.core.flush(Objects.requireNonNull(timeout, "timeout"));
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
        List<Subscription> mine;
        synchronized (this) {
            if (!closed.compareAndSet(false, true)) {
                return null;
            }
            mine = List.copyOf(subscriptions);
            subscriptions.clear();
        }
        mine.forEach(Subscription::close);
        synchronized (SHARED) {
            if (--shared.handles > 0) {
                return null;
            }
            SHARED.remove(key, shared);
            return shared.core;
        }
    }

    @Override
    public String toString() {
        return shared.core.toString();
    }
}
