package io.breakwater.status.internal;

import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.watch.Watchdog;
import io.breakwater.status.InstanceEvent;
import io.breakwater.status.StatusEvent;
import io.breakwater.status.StatusMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one producer, queue and thread behind every {@code StatusPublisher} of one (cluster settings, topic,
 * instance) in a JVM. {@link #publish} only queues, in order per key ({@link PendingMessages}); the thread checks
 * the topic, then sends the first waiting message of up to {@value #MAX_IN_FLIGHT} keys at once, waits for their
 * answers, and retries what failed with backoff while the cluster is away. The watchdog's
 * clock thread queues a heartbeat of the instance every interval, the first one at once; {@link #close} queues the
 * instance's stop before it publishes what waits.
 */
public final class PublisherCore {

    /** Events kept per key while the cluster is away; older ones are coalesced away. */
    public static final int MAX_EVENTS_PER_KEY = 32;
    /**
     * Older events (those behind a key's newest) kept in all while the cluster is away; beyond, every key keeps its
     * newest alone. A key's newest event is never dropped for room.
     */
    public static final int MAX_HISTORY = 100_000;
    /** Messages sent before their answers are awaited, at most one per key: a start of many breakers takes seconds. */
    static final int MAX_IN_FLIGHT = 512;

    private static final Logger LOG = LoggerFactory.getLogger(PublisherCore.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final long RETRY_MAX_MILLIS = 5_000;

    private final String topic;
    private final String instanceId;
    private final SenderSlot producer;
    private final Thread thread;
    private final PendingMessages pending = new PendingMessages(MAX_HISTORY);
    private final Clock clock;
    private final Duration heartbeatInterval;
    private final Instant startedAt;
    private final Subscription heartbeats;
    // The instance's heartbeat count and when the next is due (clock nanos); guarded by `this`.
    private long heartbeatSequence;
    private long nextHeartbeatNanos;
    // Set, under `this`, by the close that builds the instance's stop: no heartbeat is built after it.
    private boolean closing;
    // Runs between building the instance's stop and queuing it: for tests of that window.
    volatile Runnable beforeStopQueued = () -> { };
    // Work for a later tick, with when it is due (clock nanos); guarded by `this`.
    private final List<Map.Entry<Long, Runnable>> later = new ArrayList<>();
    // Counters, read from any thread.
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private volatile Boolean topicCompacted;
    // Thread-confined to the publisher thread.
    private boolean topicReady;
    private final SendErrors errors;

    public PublisherCore(Map<String, Object> clientConfig, String topic, String instanceId, Duration heartbeatInterval,
                         Clock clock) {
        this.topic = topic;
        this.instanceId = instanceId;
        this.clock = clock;
        this.heartbeatInterval = heartbeatInterval;
        this.startedAt = Instant.ofEpochMilli(clock.currentTimeMillis());
        this.nextHeartbeatNanos = clock.nanoTime();
        this.errors = new SendErrors(topic, instanceId, clientConfig);
        this.producer = new SenderSlot(clientConfig, topic, instanceId, errors::settingsChanged);
        tick(); // the first heartbeat, before any breaker event
        this.heartbeats = Watchdog.register(this::tick);
        this.thread = new Thread(this::run, "breakwater-status-publisher-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
    }

    public String instanceId() {
        return instanceId;
    }

    /** The client settings of the producer, or of the one the next batch makes (newer ones came). */
    public Map<String, Object> clientConfig() {
        return producer.config();
    }

    /** Makes the next batch go through a producer with {@code config}: the newest handle's settings win. */
    public void useSettings(Map<String, Object> config) {
        producer.use(config);
    }

    /** What waits to be sent, in the order it will go per key (for tests and diagnostics). */
    public List<StatusMessage> pendingMessages() {
        return pending.snapshot();
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** The current time of this publisher's clock. */
    public Instant now() {
        return Instant.ofEpochMilli(clock.currentTimeMillis());
    }

    /** Runs {@code work} on the watchdog's thread once {@code delay} has passed on this publisher's clock. */
    public void later(Duration delay, Runnable work) {
        synchronized (this) {
            later.add(Map.entry(clock.nanoTime() + delay.toNanos(), work));
        }
    }

    /** Queues a heartbeat if one is due, and runs the work that is due; the watchdog calls it every tick. */
    public void tick() {
        InstanceEvent heartbeat = null;
        List<Runnable> due = new ArrayList<>();
        synchronized (this) {
            long now = clock.nanoTime();
            later.removeIf(e -> now - e.getKey() >= 0 && due.add(e.getValue()));
            if (now - nextHeartbeatNanos >= 0 && !closing) {
                nextHeartbeatNanos = now + heartbeatInterval.toNanos();
                heartbeat = instanceEvent(InstanceEvent.Kind.HEARTBEAT);
            }
        }
        if (heartbeat != null) {
            publish(heartbeat);
        }
        due.forEach(Runnable::run);
    }

    // Called holding `this`.
    private InstanceEvent instanceEvent(InstanceEvent.Kind kind) {
        return new InstanceEvent(StatusEvent.SCHEMA, kind, instanceId, now(), startedAt, heartbeatInterval,
                ++heartbeatSequence);
    }

    /** Queues {@code message}; never blocks. After close, the message is dropped and counted. */
    public void publish(StatusMessage message) {
        PendingMessages.Offer offer = pending.offer(message);
        if (offer == PendingMessages.Offer.CLOSED) {
            LOG.warn("Status publisher for {} is closed; dropped {}", topic, message.key());
        } else if (offer == PendingMessages.Offer.DUPLICATE) {
            duplicates.incrementAndGet();
        }
    }

    public int pending() {
        return pending.size();
    }

    public long published() {
        return published.get();
    }

    public long dropped() {
        return pending.dropped();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public Boolean topicCompacted() {
        return topicCompacted;
    }

    /** The failed attempts to publish, and the last one's error. */
    public SendErrors errors() {
        return errors;
    }

    /** Waits until nothing is pending, at most {@code timeout}; true when everything was published. */
    public boolean flush(Duration timeout) throws InterruptedException {
        return pending.flush(timeout);
    }

    private void run() {
        long backoffMillis = 100;
        try {
            List<StatusMessage> next;
            while ((next = pending.awaitNext(MAX_IN_FLIGHT)) != null) {
                // A round that moved anything goes on at once: one failing key must not hold back the others.
                if (ready() && send(next) > 0) {
                    backoffMillis = 100;
                } else {
                    pending.backOff(backoffMillis);
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
            Throwable[] why = {null};
            StatusTopic.Found found = StatusTopic.ensure(producer.config(), "breakwater-status-admin-" + instanceId, topic,
                    Duration.ofMillis(Math.min(pending.millisLeft(), 6_000)), "status topic", cause -> why[0] = cause);
            if (found == StatusTopic.Found.NOT_YET) {
                if (pending.millisLeft() == Long.MAX_VALUE) { // not closing
                    errors.topicNotChecked(pending(), why[0]);
                }
                return false;
            }
            topicCompacted = found == StatusTopic.Found.READY_COMPACTED ? Boolean.TRUE
                    : found == StatusTopic.Found.READY_NOT_COMPACTED ? Boolean.FALSE : null;
            topicReady = true;
        }
        return true;
    }

    /** Sends {@code messages}, of distinct keys; how many left the queue (sent, or refused for themselves: dropped). */
    private int send(List<StatusMessage> messages) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, Math.min(20_000, pending.millisLeft())));
        long before = published.get();   // counted by this thread alone
        int[] refusedCount = {0};
        try {
            Throwable failure = producer.sender().send(messages, deadline, sent -> {
                published.incrementAndGet();
                pending.sent(sent);
            }, (refused, why) -> {
                pending.refused(refused);
                refusedCount[0]++;
                errors.refused(refused, why);
            });
            if (failure != null) {
                errors.sendFailed(failure, pending());
            } else if (published.get() > before) {   // not a round whose records were all refused: none went
                errors.sent();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return (int) (published.get() - before) + refusedCount[0];
    }

    /**
     * Queues the instance's stop, publishes what it can within {@code timeout}, then stops; returns within about
     * {@code timeout} whatever the cluster does. Messages still waiting then are counted as dropped and logged.
     */
    public void close(Duration timeout) {
        close(timeout, true);
    }

    /** Stops at once, publishing nothing more, not even the instance's stop: for a core made in a race and not used. */
    public void discard() {
        close(Duration.ZERO, false);
    }

    private void close(Duration timeout, boolean announce) {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        heartbeats.close();
        InstanceEvent stopped;
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            stopped = announce ? instanceEvent(InstanceEvent.Kind.STOPPED) : null;
        }
        if (stopped != null) {
            beforeStopQueued.run();
            publish(stopped);
        }
        if (!pending.close(deadline)) {
            return;
        }
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        int left = pending();
        if (left > 0) {
            pending.dropped(left);
            LOG.warn("Status publisher for {} closed with {} event(s) unpublished", topic, left);
        }
        producer.close();
    }

    @Override
    public String toString() {
        return "StatusPublisher[" + topic + ", " + instanceId + "]";
    }
}
