package io.breakwater.status;

import io.breakwater.breaker.BreakerStateStore;
import io.breakwater.breaker.PersistedState;
import io.breakwater.breaker.Throwables;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * Breaker state kept on the compacted status topic, with no infrastructure beyond the cluster: the
 * {@link StatusPublisher} of the same instance writes every transition there, and this store reads the
 * latest event of {@code {instance}/{breaker}} back when a breaker is created. {@link #save} does nothing:
 * the publisher already writes (status publishing must be on for anything to be restored).
 *
 * <p>The topic is read once, on a thread of the store's own that starts at the first {@link #load} (or
 * {@link #awaitRead}) and gives up after {@code wait}; the result is kept for every breaker of the instance,
 * a failed or unfinished read as "nothing saved" (logged once), so an unreachable cluster costs one bounded
 * read, not one per breaker. {@link #load} waits for that read, never longer than {@code wait}.
 *
 * <p>Restoring needs an instance id that stays the same across restarts: with one that changes (such as
 * {@code {host}-{pid}}) there is never anything to find.
 */
public final class KafkaStateStore implements BreakerStateStore {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaStateStore.class);

    private final Map<String, Object> clientConfig;
    private final String topic;
    private final String instanceId;
    private final Duration wait;
    // The latest event per key of this instance, read once, in the background.
    private final CompletableFuture<Map<String, StatusEvent>> read = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();

    private KafkaStateStore(Map<String, Object> clientConfig, String topic, String instanceId, Duration wait) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.topic = topic;
        this.instanceId = instanceId;
        this.wait = wait;
    }

    /**
     * A store reading {@code topic} with {@code clientConfig} (bootstrap and security), for {@code instanceId};
     * the read starts at the first load and gives up after {@code wait}.
     *
     * @throws org.apache.kafka.common.config.ConfigException when no usable bootstrap server is configured
     */
    public static KafkaStateStore create(Map<String, ?> clientConfig, String topic, String instanceId, Duration wait) {
        Objects.requireNonNull(clientConfig, "clientConfig");
        Checks.requireTopic(topic);
        Checks.requireInstanceId(instanceId);
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative() || wait.isZero()) {
            throw new IllegalArgumentException("wait must be > 0, but was " + wait);
        }
        return new KafkaStateStore(StatusClients.of(clientConfig, "the Breakwater state store"), topic, instanceId, wait);
    }

    @Override
    public void save(String breaker, PersistedState state) {
        // The StatusPublisher of this instance writes each transition to the topic.
    }

    @Override
    public Optional<PersistedState> load(String breaker) throws InterruptedException {
        Map<String, StatusEvent> found = awaitRead(wait);
        StatusEvent event = found.get(StatusEvent.key(instanceId, breaker));
        return event == null ? Optional.empty() : Optional.of(new PersistedState(event.to(), event.since(), null, event.reason()));
    }

    /**
     * Waits for the read at most {@code timeout}; what was found, or nothing when the read failed or is not
     * done. Callers that may wait (an interceptor's {@code configure}) call this first.
     */
    public Map<String, StatusEvent> awaitRead(Duration timeout) throws InterruptedException {
        if (started.compareAndSet(false, true)) {
            Thread reader = new Thread(this::readOnce, "breakwater-state-read-" + instanceId);
            reader.setDaemon(true);
            reader.start();
        }
        try {
            return read.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return Map.of();
        }
    }

    private void readOnce() {
        Map<String, StatusEvent> found = new HashMap<>();
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "breakwater-state-" + instanceId);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long deadline = System.nanoTime() + wait.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, wait);
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions, left(deadline));
                String prefix = instanceId + "/";
                while (partitions.stream().anyMatch(p -> consumer.position(p, left(deadline)) < end.get(p))) {
                    if (System.nanoTime() - deadline > 0) {
                        // What was read is the log's older part: a later event (a reset after a force-open, say) may
                        // be in the rest, so restoring from it could bring back a state that ended.
                        LOG.warn("Read only part of the status topic {} within {}; restoring nothing: breakers of "
                                + "instance {} start CLOSED (a longer breakwater.state.restore.timeout.ms reads it all)",
                                topic, wait, instanceId);
                        found.clear();
                        break;
                    }
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(left(deadline))) {
                        take(found, prefix, record);
                    }
                }
            }
            read.complete(Map.copyOf(found));
        } catch (Throwable e) {
            LOG.warn("Could not read the status topic {} to restore breaker state within {}: {}. Breakers of instance {} "
                    + "start CLOSED", topic, wait, Throwables.describe(e), instanceId);
            read.complete(Map.of());
        }
    }

    private static void take(Map<String, StatusEvent> found, String prefix, ConsumerRecord<String, byte[]> record) {
        if (record.key() == null || !record.key().startsWith(prefix)) {
            return;
        }
        if (record.value() == null) {
            found.remove(record.key());
            return;
        }
        try {
            StatusEvent event = StatusEventCodec.decode(record.value());
            String doubt = Plausibility.doubt(event, record.key(), java.time.Instant.now());
            if (doubt != null) {
                LOG.warn("Skipped record {}-{}@{} of the status topic while restoring: {}", record.topic(),
                        record.partition(), record.offset(), doubt);
                return;
            }
            if (event.isNewerThan(found.get(record.key()))) {
                found.put(record.key(), event);
            }
        } catch (IllegalArgumentException e) {
            LOG.debug("Skipped a record of the status topic while restoring: {}", e.getMessage());
        }
    }

    private static Duration left(long deadlineNanos) {
        return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
    }

    /** Stores for the same cluster settings, topic and instance are equal: they find the same state. */
    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaStateStore other && clientConfig.equals(other.clientConfig) && topic.equals(other.topic)
                && instanceId.equals(other.instanceId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clientConfig, topic, instanceId);
    }

    @Override
    public String toString() {
        return "KafkaStateStore[" + topic + ", " + instanceId + "]";
    }
}
