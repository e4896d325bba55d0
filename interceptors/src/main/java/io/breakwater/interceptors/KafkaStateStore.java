package io.breakwater.interceptors;

import io.breakwater.breaker.BreakerStateStore;
import io.breakwater.breaker.PersistedState;
import io.breakwater.interceptors.internal.ClientConfigs;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * latest event of {@code {instance}/{breaker}} back when a breaker is created. The topic is read once,
 * within a bounded wait, and the result kept for every breaker of the instance. {@link #save} does nothing:
 * the publisher already writes (status publishing must be on for anything to be restored).
 */
public final class KafkaStateStore implements BreakerStateStore {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaStateStore.class);

    private final Map<String, Object> clientConfig;
    private final String topic;
    private final String instanceId;
    private final Duration wait;
    // The latest event per key of this instance, read once; guarded by `this`.
    private Map<String, StatusEvent> latest;

    private KafkaStateStore(Map<String, Object> clientConfig, String topic, String instanceId, Duration wait) {
        this.clientConfig = clientConfig;
        this.topic = Objects.requireNonNull(topic, "topic");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.wait = Objects.requireNonNull(wait, "wait");
    }

    /** A store reading {@code topic} with {@code clientConfig} (bootstrap and security), for {@code instanceId}. */
    public static KafkaStateStore create(Map<String, ?> clientConfig, String topic, String instanceId, Duration wait) {
        return new KafkaStateStore(ClientConfigs.inherit(clientConfig, null, "bootstrap.servers"), topic, instanceId, wait);
    }

    @Override
    public void save(String breaker, PersistedState state) {
        // The StatusPublisher of this instance writes each transition to the topic.
    }

    @Override
    public synchronized Optional<PersistedState> load(String breaker) {
        if (latest == null) {
            latest = readOnce();
        }
        StatusEvent event = latest.get(StatusEvent.key(instanceId, breaker));
        return event == null ? Optional.empty() : Optional.of(new PersistedState(event.to(), event.at(), null, event.reason()));
    }

    private Map<String, StatusEvent> readOnce() {
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
            if (infos == null || infos.isEmpty()) {
                return found;
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, left(deadline));
            String prefix = instanceId + "/";
            while (partitions.stream().anyMatch(p -> consumer.position(p, left(deadline)) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    LOG.warn("Read only part of the status topic {} within {}; restoring from what was read", topic, wait);
                    break;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(left(deadline))) {
                    if (record.key() == null || !record.key().startsWith(prefix)) {
                        continue;
                    }
                    if (record.value() == null) {
                        found.remove(record.key());
                        continue;
                    }
                    try {
                        found.put(record.key(), StatusEventCodec.decode(record.value()));
                    } catch (IllegalArgumentException e) {
                        LOG.debug("Skipped a record of {} while restoring: {}", topic, e.getMessage());
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not read the status topic {} to restore breaker state: {}", topic, e.toString());
            throw e;
        }
        return found;
    }

    private static Duration left(long deadlineNanos) {
        return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
    }

    @Override
    public String toString() {
        return "KafkaStateStore[" + topic + ", " + instanceId + "]";
    }
}
