package io.breakwater.status.internal;

import io.breakwater.status.StatusEvent;
import io.breakwater.status.StatusEventCodec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one producer, queue and thread behind every {@code StatusPublisher} of one (cluster settings, topic,
 * instance) in a JVM. {@link #publish} only queues, in order per key; the thread checks the topic, then
 * sends one event at a time and retries with backoff while the cluster is away. Per key at most
 * {@value #MAX_EVENTS_PER_KEY} events wait (the oldest go first, counted); an event that is not newer than
 * the last one accepted for its key (a duplicate) is skipped.
 */
public final class PublisherCore {

    /** Events kept per key while the cluster is away; older ones are coalesced away. */
    public static final int MAX_EVENTS_PER_KEY = 32;
    /** Keys kept while the cluster is away; beyond, the oldest key's events are dropped. */
    public static final int MAX_KEYS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(PublisherCore.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final long RETRY_MAX_MILLIS = 5_000;

    private final String topic;
    private final String instanceId;
    private final Map<String, Object> clientConfig;
    private final Producer<String, byte[]> producer;
    private final Thread thread;
    // Everything below is guarded by `pending`.
    private final LinkedHashMap<String, ArrayDeque<StatusEvent>> pending = new LinkedHashMap<>();
    private final Map<String, StatusEvent> lastAccepted = new HashMap<>();
    private long closeDeadlineNanos = Long.MAX_VALUE;
    private boolean closing;
    // Counters, read from any thread.
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private volatile Boolean topicCompacted;
    // Thread-confined to the publisher thread.
    private boolean topicReady;
    private boolean unreachableLogged;

    public PublisherCore(Map<String, Object> clientConfig, String topic, String instanceId) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.topic = topic;
        this.instanceId = instanceId;
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

    public String topic() {
        return topic;
    }

    public String instanceId() {
        return instanceId;
    }

    public Map<String, Object> clientConfig() {
        return clientConfig;
    }

    /** Queues {@code event}; never blocks. After close, the event is dropped and counted. */
    public void publish(StatusEvent event) {
        synchronized (pending) {
            if (closing) {
                dropped.incrementAndGet();
                LOG.warn("Status publisher for {} is closed; dropped {}", topic, event.key());
                return;
            }
            if (!event.isNewerThan(lastAccepted.get(event.key()))) {
                duplicates.incrementAndGet();
                return;
            }
            lastAccepted.put(event.key(), event);
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

    public int pending() {
        synchronized (pending) {
            return pending.values().stream().mapToInt(ArrayDeque::size).sum();
        }
    }

    public long published() {
        return published.get();
    }

    public long dropped() {
        return dropped.get();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public Boolean topicCompacted() {
        return topicCompacted;
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

    private long millisLeft() {
        synchronized (pending) {
            return !closing ? Long.MAX_VALUE
                    : Math.max(0, TimeUnit.NANOSECONDS.toMillis(closeDeadlineNanos - System.nanoTime()));
        }
    }

    private void run() {
        long backoffMillis = 100;
        try {
            while (true) {
                StatusEvent next;
                synchronized (pending) {
                    while (pending.isEmpty() && !closing) {
                        pending.wait();
                    }
                    if (pending.isEmpty() || (closing && System.nanoTime() - closeDeadlineNanos >= 0)) {
                        return;
                    }
                    next = pending.values().iterator().next().peekFirst();
                }
                if (ready() && send(next)) {
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
                        pending.wait(Math.max(1, Math.min(backoffMillis, millisLeft())));
                    }
                    backoffMillis = Math.min(backoffMillis * 2, RETRY_MAX_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            LOG.error("Status publisher for {} stopped: {}", topic, e.toString(), e);
            throw e;
        }
    }

    /** Checks or creates the topic once before the first send. */
    private boolean ready() {
        if (!topicReady) {
            long left = millisLeft();
            StatusTopic.Found found = StatusTopic.ensure(clientConfig, "breakwater-status-admin-" + instanceId, topic,
                    Duration.ofMillis(Math.min(left, 6_000)));
            if (found == StatusTopic.Found.NOT_YET) {
                if (!unreachableLogged && millisLeft() == Long.MAX_VALUE) {
                    LOG.warn("Status topic {} cannot be checked or created yet (the cluster does not answer); holding {} "
                            + "event(s) and retrying", topic, pending());
                    unreachableLogged = true;
                }
                return false;
            }
            topicCompacted = found == StatusTopic.Found.READY_COMPACTED ? Boolean.TRUE
                    : found == StatusTopic.Found.READY_NOT_COMPACTED ? Boolean.FALSE : null;
            topicReady = true;
        }
        return true;
    }

    private boolean send(StatusEvent event) {
        try {
            long left = Math.max(1, Math.min(20_000, millisLeft()));
            producer.send(new ProducerRecord<>(topic, event.key(), StatusEventCodec.encode(event))).get(left, TimeUnit.MILLISECONDS);
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

    /**
     * Publishes what it can within {@code timeout}, then stops; returns within about {@code timeout} whatever
     * the cluster does. Events still waiting then are counted as dropped and logged.
     */
    public void close(Duration timeout) {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        synchronized (pending) {
            if (closing) {
                return;
            }
            closeDeadlineNanos = deadline;
            closing = true;
            pending.notifyAll();
        }
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        int left = pending();
        if (left > 0) {
            dropped.addAndGet(left);
            LOG.warn("Status publisher for {} closed with {} event(s) unpublished", topic, left);
        }
        producer.close(Duration.ZERO);
    }

    @Override
    public String toString() {
        return "StatusPublisher[" + topic + ", " + instanceId + "]";
    }
}
