package io.breakwater.status;

import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.Throwables;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet view: reads the status topic from its start, on a thread of its own, and keeps the newest event
 * of every breaker of every instance (an event replaces the held one unless it is older in both sequence
 * and time, so duplicates and replays never take a key back). Records that are not status events are
 * skipped, counted and logged; a tombstone removes its key. It joins no consumer group and commits nothing.
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
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final long BACKOFF_MIN_MILLIS = 100;
    private static final long BACKOFF_MAX_MILLIS = 5_000;

    private final String topic;
    private final String clientId;
    private final Map<String, Object> consumerConfig;
    private final Map<String, StatusEvent> latest = new ConcurrentHashMap<>();
    private final List<Consumer<StatusEvent>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong read = new AtomicLong();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    // The next offset to read, per partition, as far as this reader got; reader thread only.
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final Object sleeper = new Object();
    private final Thread thread;
    private volatile State state = State.CONNECTING;
    private volatile String lastError = "no answer from the cluster yet";
    private volatile boolean closed;
    // The current consumer; created and used by the reader thread, woken up by close().
    private volatile KafkaConsumer<String, byte[]> consumer;

    private StatusReader(Map<String, Object> clientConfig, String topic) {
        this.topic = topic;
        Map<String, Object> config = new HashMap<>(clientConfig);
        int id = THREADS.incrementAndGet();
        this.clientId = "breakwater-status-reader-" + id;
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A reader must never create the status topic: the broker would make it with cleanup.policy=delete.
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.consumerConfig = Map.copyOf(config);
        this.consumer = new KafkaConsumer<>(consumerConfig);
        this.thread = new Thread(this::run, "breakwater-status-reader-" + id);
        thread.setDaemon(true);
    }

    /**
     * Starts reading {@code topic} with {@code clientConfig} ({@code bootstrap.servers} and any security settings).
     *
     * @throws org.apache.kafka.common.config.ConfigException when no usable bootstrap server is configured
     */
    public static StatusReader start(Map<String, ?> clientConfig, String topic) {
        Objects.requireNonNull(clientConfig, "clientConfig");
        StatusPublisher.requireTopic(topic);
        StatusReader reader = new StatusReader(StatusClients.of(clientConfig, "the Breakwater status reader"), topic);
        reader.thread.start();
        return reader;
    }

    private void run() {
        long backoff = BACKOFF_MIN_MILLIS;
        while (!closed) {
            try {
                follow();
            } catch (Throwable e) {
                if (closed) {
                    break; // woken up by close()
                }
                lastError = e instanceof org.apache.kafka.common.errors.TimeoutException
                        ? "no answer from " + consumerConfig.get("bootstrap.servers") + " (" + Throwables.describe(e) + ")"
                        : Throwables.describe(e);
                state = e instanceof org.apache.kafka.common.errors.TimeoutException ? State.CONNECTING : state;
                LOG.debug("Status reader of {}: {}; retrying in {} ms", topic, lastError, backoff);
                recreateConsumerAfter(e);
                pause(backoff);
                backoff = Math.min(backoff * 2, BACKOFF_MAX_MILLIS);
                continue;
            }
            backoff = BACKOFF_MIN_MILLIS;
        }
        state = State.CLOSED;
        consumer.close(Duration.ZERO);
    }

    /** Finds the partitions, reads from the start, and follows; returns only when closed or the topic is missing. */
    private void follow() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(1));
        if (infos == null || infos.isEmpty()) {
            state = State.WAITING_FOR_TOPIC;
            lastError = "topic " + topic + " does not exist";
            pause(BACKOFF_MAX_MILLIS);
            return;
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (!consumer.assignment().equals(new java.util.HashSet<>(partitions))) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // A consumer made anew after a failure goes on from where the old one was: no replay.
            positions.forEach((partition, offset) -> {
                if (partitions.contains(partition)) {
                    consumer.seek(partition, offset);
                }
            });
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        state = caughtUp.getCount() == 0 ? State.LIVE : State.CATCHING_UP;
        lastError = null;
        while (!closed) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                accept(record);
                positions.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
            }
            if (caughtUp.getCount() > 0 && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                state = State.LIVE;
                caughtUp.countDown();
            }
        }
    }

    private void recreateConsumerAfter(Throwable e) {
        if (e instanceof org.apache.kafka.common.errors.TimeoutException || closed) {
            return; // the consumer is fine; the cluster is not answering
        }
        LOG.warn("Status reader of {} restarts its consumer after: {}", topic, Throwables.describe(e));
        try {
            consumer.close(Duration.ZERO);
        } catch (RuntimeException closeError) {
            LOG.debug("closing the old consumer failed", closeError);
        }
        consumer = new KafkaConsumer<>(consumerConfig);
    }

    private void pause(long millis) {
        synchronized (sleeper) {
            if (!closed) {
                try {
                    sleeper.wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closed = true;
                }
            }
        }
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        read.incrementAndGet();
        if (record.value() == null) {
            if (record.key() != null) {
                latest.remove(record.key());
            }
            return;
        }
        StatusEvent event;
        try {
            event = StatusEventCodec.decode(record.value());
        } catch (IllegalArgumentException e) {
            long count = malformed.incrementAndGet();
            LOG.warn("Skipped record {}-{}@{} of the status topic ({} so far): {}", record.topic(), record.partition(),
                    record.offset(), count, e.getMessage());
            return;
        }
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
        return caughtUp.await(Objects.requireNonNull(timeout, "timeout").toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Where the reader stands now. */
    public State state() {
        return state;
    }

    /** Why the reader is not reading, while it retries ("topic ... does not exist", a timeout). */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    public String topic() {
        return topic;
    }

    /** The {@code client.id} of the reader's consumer, as the broker's logs and the JMX metrics name it. */
    public String clientId() {
        return clientId;
    }

    /** The newest event of every breaker of every instance, by key {@code {instance}/{breaker}}. */
    public Map<String, StatusEvent> fleet() {
        return Map.copyOf(latest);
    }

    /** The fleet as a list sorted by instance, then breaker. */
    public List<StatusEvent> fleetView() {
        return latest.values().stream()
                .sorted(Comparator.comparing(StatusEvent::instance).thenComparing(StatusEvent::breaker))
                .toList();
    }

    /** Calls {@code listener} with every newer event read from now on (on the reader's thread). */
    public Subscription onEvent(Consumer<StatusEvent> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }

    /** Records read that were not status events. */
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
        if (closed) {
            return;
        }
        closed = true;
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "StatusReader[" + topic + ", " + state + "]";
    }
}
