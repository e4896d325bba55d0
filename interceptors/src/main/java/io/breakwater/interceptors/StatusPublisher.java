package io.breakwater.interceptors;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.Subscription;
import io.breakwater.interceptors.internal.ClientConfigs;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes breaker transitions to the status topic with a producer of its own, from a thread of its own.
 * {@link #publish(StatusEvent)} only queues, so it never blocks the caller (it may run on a Kafka network
 * thread). While the cluster cannot be reached the events wait, in order per key; a key holds at most
 * {@value #MAX_EVENTS_PER_KEY} events, beyond which the oldest are dropped (counted) and the latest state
 * always stays. The topic is created, compacted, if missing; one that is not compacted is used with a
 * warning. {@link #close()} flushes what it can within its timeout.
 */
public final class StatusPublisher implements AutoCloseable {

    /** Events kept per key while the cluster is away; older ones are coalesced away. */
    public static final int MAX_EVENTS_PER_KEY = 32;
    /** Keys kept while the cluster is away; beyond, the oldest key's events are dropped. */
    public static final int MAX_KEYS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(StatusPublisher.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Duration RETRY_MAX = Duration.ofSeconds(5);

    private final String topic;
    private final String instanceId;
    private final Map<String, Object> clientConfig;
    private final Producer<String, byte[]> producer;
    private final Thread thread;
    // Events waiting, by key in order of arrival; guarded by `pending` itself.
    private final LinkedHashMap<String, ArrayDeque<StatusEvent>> pending = new LinkedHashMap<>();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile Boolean topicCompacted;
    private volatile boolean topicReady;
    private volatile long closeDeadlineNanos = Long.MAX_VALUE;
    private volatile boolean closing;
    private boolean unreachableLogged;

    private StatusPublisher(Map<String, Object> clientConfig, String topic, String instanceId) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.topic = Objects.requireNonNull(topic, "topic");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        Map<String, Object> producerConfig = new HashMap<>(clientConfig);
        producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "breakwater-status-" + instanceId);
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        producerConfig.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 1024 * 1024);
        this.producer = new KafkaProducer<>(producerConfig);
        this.thread = new Thread(this::run, "breakwater-status-publisher-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A publisher for the producer configured by {@code producerConfig}: it uses the producer's bootstrap
     * servers (or {@code breakwater.status.bootstrap.servers}) and its security settings.
     *
     * @throws org.apache.kafka.common.config.ConfigException when no usable bootstrap server is configured
     */
    public static StatusPublisher forProducer(Map<String, ?> producerConfig, BreakwaterConfig config) {
        Map<String, Object> client = ClientConfigs.inherit(producerConfig, config.statusBootstrapServers(),
                BreakwaterConfig.STATUS_BOOTSTRAP_SERVERS_CONFIG);
        return new StatusPublisher(client, config.statusTopic(), config.instanceId());
    }

    /** A publisher with explicit client settings ({@code bootstrap.servers} and security), topic and instance. */
    public static StatusPublisher create(Map<String, ?> clientConfig, String topic, String instanceId) {
        Map<String, Object> client = ClientConfigs.inherit(clientConfig, null, BreakwaterConfig.STATUS_BOOTSTRAP_SERVERS_CONFIG);
        return new StatusPublisher(client, topic, instanceId);
    }

    public String topic() {
        return topic;
    }

    public String instanceId() {
        return instanceId;
    }

    /**
     * A state store that reads back what this publisher writes: the same cluster, topic and instance. A
     * breaker configured with it starts from the state its instance last published.
     */
    public KafkaStateStore stateStore(Duration wait) {
        return KafkaStateStore.create(clientConfig, topic, instanceId, wait);
    }

    /** Publishes every transition of {@code breaker} until the subscription is closed. */
    public Subscription attach(CircuitBreaker breaker) {
        return breaker.onTransition(t -> publish(StatusEvent.of(instanceId, t)));
    }

    /** Publishes every transition of every breaker of {@code registry}, existing and future. */
    public Subscription attach(CircuitBreakerRegistry registry) {
        return registry.onTransition(t -> publish(StatusEvent.of(instanceId, t)));
    }

    /** Queues {@code event}; never blocks. After {@link #close()} the event is dropped and counted. */
    public void publish(StatusEvent event) {
        Objects.requireNonNull(event, "event");
        synchronized (pending) {
            if (closing) {
                dropped.incrementAndGet();
                LOG.warn("Status publisher for {} is closed; dropped {}", topic, event.key());
                return;
            }
            ArrayDeque<StatusEvent> queue = pending.get(event.key());
            if (queue == null) {
                if (pending.size() >= MAX_KEYS) {
                    Iterator<Map.Entry<String, ArrayDeque<StatusEvent>>> eldest = pending.entrySet().iterator();
                    dropped.addAndGet(eldest.next().getValue().size());
                    eldest.remove();
                }
                queue = new ArrayDeque<>();
                pending.put(event.key(), queue);
            }
            if (queue.size() >= MAX_EVENTS_PER_KEY) {
                queue.pollFirst();
                dropped.incrementAndGet();
            }
            queue.addLast(event);
            pending.notifyAll();
        }
    }

    /** Events waiting to be published. */
    public int pending() {
        synchronized (pending) {
            return pending.values().stream().mapToInt(ArrayDeque::size).sum();
        }
    }

    /** Events published so far. */
    public long published() {
        return published.get();
    }

    /** Events dropped because a key's queue was full, too many keys waited, or the publisher was closed. */
    public long dropped() {
        return dropped.get();
    }

    /** Whether the status topic is compacted, once known. */
    public Optional<Boolean> topicCompacted() {
        return Optional.ofNullable(topicCompacted);
    }

    /** Waits until nothing is pending, at most {@code timeout}; true when everything was published. */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (pending) {
            while (!pending.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(pending, left);
            }
            return true;
        }
    }

    private void run() {
        long backoffMillis = 100;
        while (true) {
            if (!topicReady && System.nanoTime() < closeDeadlineNanos) {
                // Sending first could let the broker auto-create the topic, uncompacted: check or create it first.
                ensureTopic();
                if (!topicReady) {
                    synchronized (pending) {
                        try {
                            pending.wait(backoffMillis);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    backoffMillis = Math.min(backoffMillis * 2, RETRY_MAX.toMillis());
                    continue;
                }
            }
            StatusEvent next;
            synchronized (pending) {
                while (pending.isEmpty() && !closing) {
                    try {
                        pending.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (pending.isEmpty() || System.nanoTime() > closeDeadlineNanos) {
                    break;
                }
                next = pending.values().iterator().next().peekFirst();
            }
            if (send(next)) {
                backoffMillis = 100;
                synchronized (pending) {
                    ArrayDeque<StatusEvent> queue = pending.get(next.key());
                    if (queue != null && queue.peekFirst() == next) {
                        queue.pollFirst();
                        if (queue.isEmpty()) {
                            pending.remove(next.key());
                        }
                    }
                    pending.notifyAll();
                }
            } else {
                synchronized (pending) {
                    try {
                        long wait = Math.min(backoffMillis, Math.max(1, (closeDeadlineNanos - System.nanoTime()) / 1_000_000));
                        pending.wait(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                backoffMillis = Math.min(backoffMillis * 2, RETRY_MAX.toMillis());
            }
        }
    }

    private boolean send(StatusEvent event) {
        try {
            long left = Math.min(20_000, (closeDeadlineNanos - System.nanoTime()) / 1_000_000);
            producer.send(new ProducerRecord<>(topic, event.key(), StatusEventCodec.encode(event)))
                    .get(Math.max(1, left), TimeUnit.MILLISECONDS);
            published.incrementAndGet();
            if (unreachableLogged) {
                LOG.info("Status topic {} reachable again; publishing held events", topic);
                unreachableLogged = false;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            if (!unreachableLogged) {
                LOG.warn("Status topic {} unreachable ({}); holding {} event(s) until it is back", topic,
                        e.getCause() != null ? e.getCause().toString() : e.toString(), pending());
                unreachableLogged = true;
            }
            return false;
        }
    }

    private void ensureTopic() {
        Map<String, Object> adminConfig = new HashMap<>(clientConfig);
        adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, "breakwater-status-admin-" + instanceId);
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(adminConfig)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            try {
                Config config = admin.describeConfigs(List.of(resource)).all().get(6, TimeUnit.SECONDS).get(resource);
                ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
                boolean compacted = policy != null && policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT);
                topicCompacted = compacted;
                if (!compacted) {
                    LOG.warn("Status topic {} exists with cleanup.policy={}, not compact: it will grow without bound and "
                            + "readers will replay every event; publishing to it anyway", topic,
                            policy == null ? "?" : policy.value());
                }
                topicReady = true;
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                try {
                    admin.createTopics(List.of(newTopic)).all().get(6, TimeUnit.SECONDS);
                    LOG.info("Created the compacted status topic {}", topic);
                    topicCompacted = true;
                } catch (java.util.concurrent.ExecutionException exists) {
                    if (!(exists.getCause() instanceof TopicExistsException)) {
                        throw exists;
                    }
                    return; // created meanwhile by another instance: describe it on the next round
                }
                topicReady = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof AuthorizationException || cause instanceof UnsupportedVersionException) {
                // Without the rights to describe or create it, publish anyway: the topic may have been made by hand.
                LOG.warn("Cannot check or create the status topic {} ({}); publishing to it as it is", topic, cause.toString());
                topicReady = true;
            } else {
                LOG.debug("Could not check the status topic {} yet: {}", topic, cause.toString());
            }
        }
    }

    /** Flushes for up to 10 s, then closes. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /** Flushes for up to {@code timeout}, then closes; events still waiting then are counted as dropped. */
    public void close(Duration timeout) {
        synchronized (pending) {
            if (closing) {
                return;
            }
            closeDeadlineNanos = System.nanoTime() + timeout.toNanos();
            closing = true;
            pending.notifyAll();
        }
        try {
            thread.join(Math.max(1, timeout.toMillis() + 1_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        int left = pending();
        if (left > 0) {
            dropped.addAndGet(left);
            LOG.warn("Status publisher for {} closed with {} event(s) unpublished", topic, left);
        }
        producer.close(Duration.ofSeconds(1));
    }

    @Override
    public String toString() {
        return "StatusPublisher[" + topic + ", " + instanceId + "]";
    }
}
