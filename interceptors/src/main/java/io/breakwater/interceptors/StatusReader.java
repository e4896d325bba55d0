package io.breakwater.interceptors;

import io.breakwater.breaker.Subscription;
import io.breakwater.interceptors.internal.ClientConfigs;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet view: reads the status topic from its start, on a thread of its own, and keeps the latest
 * event of every breaker of every instance. Records that are not status events are skipped, counted and
 * logged; a tombstone removes its key. It joins no consumer group and commits nothing.
 */
public final class StatusReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusReader.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, StatusEvent> latest = new ConcurrentHashMap<>();
    private final List<Consumer<StatusEvent>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong read = new AtomicLong();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closed;

    private StatusReader(Map<String, Object> clientConfig, String topic) {
        this.topic = Objects.requireNonNull(topic, "topic");
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "breakwater-status-reader-" + THREADS.incrementAndGet());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A reader must never create the status topic: the broker would make it with cleanup.policy=delete.
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.consumer = new KafkaConsumer<>(config);
        this.thread = new Thread(this::run, "breakwater-status-reader-" + THREADS.get());
        thread.setDaemon(true);
    }

    /**
     * Starts reading {@code topic} with the client settings {@code clientConfig} ({@code bootstrap.servers}
     * and any security settings).
     */
    public static StatusReader start(Map<String, ?> clientConfig, String topic) {
        StatusReader reader = new StatusReader(ClientConfigs.inherit(clientConfig, null, "bootstrap.servers"), topic);
        reader.thread.start();
        return reader;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = awaitPartitions();
            if (partitions == null) {
                return;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            while (!closed) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    accept(record);
                }
                if (caughtUp.getCount() > 0 && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.warn("Status reader of {} stopped", topic, e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    private List<TopicPartition> awaitPartitions() {
        while (!closed) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            LOG.debug("Status topic {} not there yet", topic);
        }
        return null;
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
        latest.put(event.key(), event);
        for (Consumer<StatusEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("Status listener {} failed on {}", listener, event.key(), e);
            }
        }
    }

    /** Waits until the reader has read what the topic held when it started; true if it did in time. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The latest event of every breaker of every instance, by key {@code {instance}/{breaker}}. */
    public Map<String, StatusEvent> fleet() {
        return Map.copyOf(latest);
    }

    /** The fleet as a list sorted by instance, then breaker. */
    public List<StatusEvent> fleetView() {
        return latest.values().stream()
                .sorted(Comparator.comparing(StatusEvent::instance).thenComparing(StatusEvent::breaker))
                .toList();
    }

    /** Calls {@code listener} with every event read from now on (on the reader's thread). */
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

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
