package io.breakwater.status;

import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Subscription;
import io.breakwater.status.internal.TopicFollower;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet view: reads the status topic from its start, on a thread of its own, and keeps the newest event of every
 * breaker of every instance, and the newest heartbeat (or stop) of every instance. An event replaces the held one
 * unless it is older in both sequence and time, so duplicates and replays never take a key back. Records that are
 * not status records are skipped, counted and logged; a tombstone removes its key. Schema-1 and schema-2 records are
 * read alike. It joins no consumer group and commits nothing. Thread-safe.
 *
 * <p><b>Who is there.</b> {@link #fleetEntries(boolean)} judges each breaker by its instance's heartbeats: {@code LIVE},
 * {@code STALE} once the newest heartbeat is older than {@value InstanceEvent#MISSED_HEARTBEATS} of its intervals (by
 * the reader's clock since it heard it, once following the topic: an instance whose clock is off is judged rightly),
 * {@code STOPPED} after a clean shutdown (hidden unless asked for), {@code UNKNOWN} for an instance that sends none.
 *
 * <p><b>When the cluster is away.</b> Starting never fails for an unreachable cluster or a missing topic:
 * the reader keeps trying, with a backoff from 100 ms to 5 s, until it is closed, and says where it stands
 * through {@link #state()} and {@link #lastError()}. {@link #awaitCaughtUp(Duration)} returns false if the
 * reader has not read the topic's content by then; once the cluster answers, the reader catches up by
 * itself. Only bad settings fail {@link #start(Map, String)}.
 */
public final class StatusReader implements AutoCloseable {

    /**
     * Where a reader stands: {@code CONNECTING} (no answer from the cluster yet, or lost it: retrying),
     * {@code WAITING_FOR_TOPIC} (the cluster answers, the topic does not exist: retrying), {@code CATCHING_UP}
     * (reading what the topic held when the reader reached it), {@code LIVE} (caught up, following), {@code CLOSED}.
     */
    public enum State { CONNECTING, WAITING_FOR_TOPIC, CATCHING_UP, LIVE, CLOSED }

    private static final Logger LOG = LoggerFactory.getLogger(StatusReader.class);

    private final String topic;
    private final Clock clock;
    private final Map<String, StatusEvent> latest = new ConcurrentHashMap<>();
    private final Map<String, InstanceEvent> instances = new ConcurrentHashMap<>();
    // When (the reader's clock.nanoTime()) the newest heartbeat of each instance was heard, if it came while the reader
    // followed the topic: such an instance is judged by that, not by the time in its heartbeat, which its own clock
    // wrote (minutes behind, it would show a live instance STALE; ahead, hide a dead one). One read while catching up
    // has its own time alone; one read in the backlog of a reader that lost the cluster for a while counts as heard
    // then, so an instance that died meanwhile turns STALE three intervals after the reader is back. Written by the
    // reader's thread.
    private final Map<String, Long> heardAt = new ConcurrentHashMap<>();
    private final List<Consumer<StatusEvent>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong read = new AtomicLong();
    private final TopicFollower follower;

    private StatusReader(Map<String, Object> clientConfig, String topic, Clock clock) {
        this.topic = topic;
        this.clock = clock;
        this.follower = new TopicFollower("Status reader", "breakwater-status-reader", clientConfig, topic, this::accept,
                Duration.ofSeconds(5));
    }

    /**
     * Starts reading {@code topic} with {@code clientConfig} ({@code bootstrap.servers} and any security settings).
     *
     * @throws org.apache.kafka.common.config.ConfigException when no usable bootstrap server is configured
     */
    public static StatusReader start(Map<String, ?> clientConfig, String topic) {
        return start(clientConfig, topic, Clock.system());
    }

    /** {@link #start(Map, String)}, judging heartbeats by {@code clock} (tests pass a {@code ManualClock}). */
    public static StatusReader start(Map<String, ?> clientConfig, String topic, Clock clock) {
        Objects.requireNonNull(clientConfig, "clientConfig");
        Objects.requireNonNull(clock, "clock");
        Checks.requireTopic(topic);
        StatusReader reader = new StatusReader(StatusClients.of(clientConfig, "the Breakwater status reader"), topic, clock);
        reader.follower.start();
        return reader;
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        read.incrementAndGet();
        if (record.value() == null) {
            if (record.key() != null) {
                latest.remove(record.key());
                instances.remove(record.key());
                heardAt.remove(record.key());
            }
            return;
        }
        StatusMessage message;
        try {
            message = StatusEventCodec.decodeMessage(record.value());
        } catch (IllegalArgumentException e) {
            long count = malformed.incrementAndGet();
            LOG.warn("Skipped record {}-{}@{} of the status topic ({} so far): {}", record.topic(), record.partition(),
                    record.offset(), count, e.getMessage());
            return;
        }
        String doubt = Plausibility.doubt(message, record.key(), null);
        if (doubt != null) {
            long count = malformed.incrementAndGet();
            LOG.warn("Skipped record {}-{}@{} of the status topic ({} so far): {}", record.topic(), record.partition(),
                    record.offset(), count, doubt);
            return;
        }
        if (message instanceof InstanceEvent instance) {
            if (instance.isNewerThan(instances.get(instance.key()))) {
                instances.put(instance.key(), instance);
                if (follower.state() == State.LIVE) {
                    heardAt.put(instance.key(), clock.nanoTime());
                } else {
                    heardAt.remove(instance.key());
                }
            }
            return;
        }
        StatusEvent event = (StatusEvent) message;
        if (!event.isNewerThan(latest.get(event.key()))) {
            return;
        }
        latest.put(event.key(), event);
        for (Consumer<StatusEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                LOG.warn("Status listener {} failed on {}", listener, event.key(), e);
            }
        }
    }

    /**
     * Waits until the reader has read what the topic held when it first reached it; true if it did within
     * {@code timeout}, false if not yet (the cluster or the topic is away: see {@link #state()}).
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return follower.awaitCaughtUp(Objects.requireNonNull(timeout, "timeout"));
    }

    /** Where the reader stands now. */
    public State state() {
        return follower.state();
    }

    /** Why the reader is not reading, while it retries ("topic ... does not exist", a timeout). */
    public Optional<String> lastError() {
        return Optional.ofNullable(follower.lastError());
    }

    public String topic() {
        return topic;
    }

    /** The {@code client.id} of the reader's consumer, as the broker's logs and the JMX metrics name it. */
    public String clientId() {
        return follower.clientId();
    }

    /** The newest event of every breaker of every instance, stopped ones included, by key {@code {instance}/{breaker}}. */
    public Map<String, StatusEvent> fleet() {
        return Map.copyOf(latest);
    }

    /** The fleet as a list sorted by instance, then breaker. */
    public List<StatusEvent> fleetView() {
        return latest.values().stream()
                .sorted(Comparator.comparing(StatusEvent::instance).thenComparing(StatusEvent::breaker))
                .toList();
    }

    /** The newest heartbeat or stop of every instance that sends them, by instance id. */
    public Map<String, InstanceEvent> instances() {
        return Map.copyOf(instances);
    }

    /**
     * Every breaker of every instance, judged now by the reader's clock (see {@link FleetEntry#of(StatusEvent,
     * InstanceEvent, Instant)}), sorted by instance, then breaker; those of stopped instances and detached breakers
     * only if {@code includeStopped}.
     */
    public List<FleetEntry> fleetEntries(boolean includeStopped) {
        Instant now = Instant.ofEpochMilli(clock.currentTimeMillis());
        return FleetEntry.of(latest.values(), instances(), now, includeStopped, i -> stale(i, now));
    }

    /**
     * Whether {@code instance}'s newest heartbeat is over {@value InstanceEvent#MISSED_HEARTBEATS} intervals old: by the
     * reader's clock since it was heard, where it was heard following the topic, else by the time it carries.
     */
    private boolean stale(InstanceEvent instance, Instant now) {
        Long heard = heardAt.get(instance.key());
        if (heard == null || instance.kind() != InstanceEvent.Kind.HEARTBEAT) {
            return instance.isStaleAt(now);
        }
        // As Durations: an absurd interval (a rogue writer's) must not overflow.
        return Duration.ofNanos(clock.nanoTime() - heard).compareTo(instance.interval().multipliedBy(
                InstanceEvent.MISSED_HEARTBEATS)) > 0;
    }

    /** Calls {@code listener} with every newer breaker event read from now on (on the reader's thread). */
    public Subscription onEvent(Consumer<StatusEvent> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }

    /** Records read that were not status records. */
    public long malformedRecords() {
        return malformed.get();
    }

    /** Records read in all. */
    public long recordsRead() {
        return read.get();
    }

    /** Stops the reader, waiting up to 5 s for its thread. Idempotent. */
    @Override
    public void close() {
        follower.close();
    }

    @Override
    public String toString() {
        return "StatusReader[" + topic + ", " + state() + "]";
    }
}
