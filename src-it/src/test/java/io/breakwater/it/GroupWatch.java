package io.breakwater.it;

import io.breakwater.consumer.GatedConsumer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the consumer-side ITs watch: a group's committed offsets and lag (read with Admin, as an operator would),
 * every rebalance callback of its members, and, per partition, the offsets a handler handled successfully, in order.
 */
final class GroupWatch {

    final String topic;
    final String group;
    private final Admin admin;
    /** Successful handler calls per partition, offsets in the order handled. */
    final Map<Integer, List<Long>> handled = new ConcurrentHashMap<>();
    /** Rebalance callbacks, as "member: revoked|assigned|lost [partitions]". */
    final List<String> rebalances = new CopyOnWriteArrayList<>();

    GroupWatch(Admin admin, String topic, String group) {
        this.admin = admin;
        this.topic = topic;
        this.group = group;
    }

    /** Properties of a member of the group: auto-commit off, from the earliest offset, short poll interval. */
    Map<String, Object> consumerProperties(String bootstrap, Duration maxPollInterval) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) maxPollInterval.toMillis());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return props;
    }

    void succeeded(int partition, long offset) {
        handled.computeIfAbsent(partition, p -> new CopyOnWriteArrayList<>()).add(offset);
    }

    int handledCount() {
        return handled.values().stream().mapToInt(List::size).sum();
    }

    /** Whether each partition's successes are exactly 0, 1, 2, ... in order: nothing skipped, nothing twice. */
    boolean noGapNoRepeat() {
        for (List<Long> offsets : handled.values()) {
            for (int i = 0; i < offsets.size(); i++) {
                if (offsets.get(i) != i) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A listener that writes each callback of {@code member} down. */
    ConsumerRebalanceListener listener(String member) {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                rebalances.add(member + ": revoked " + partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                rebalances.add(member + ": assigned " + partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                rebalances.add(member + ": lost " + partitions);
            }
        };
    }

    /** The group's committed offset per partition (absent: none committed). */
    Map<Integer, Long> committed() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
    }

    /** The end offset of each of the topic's {@code partitions}. */
    Map<Integer, Long> endOffsets(int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().partition(), e -> e.getValue().offset()));
    }

    /**
     * Waits until every one of the topic's {@code partitions} answers a ListOffsets from its leader. A topic just
     * created is in the metadata before its leader serves it: a producer that starts at once gets
     * NOT_LEADER_OR_FOLLOWER, and an idempotent producer can then be held in OUT_OF_ORDER_SEQUENCE_NUMBER retries
     * until its delivery timeout.
     */
    void awaitLeaders(int partitions) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> endOffsets(partitions).size() == partitions);
    }

    /** Records produced and not committed by the group, over {@code partitions}. */
    long lag(int partitions) throws Exception {
        Map<Integer, Long> committed = committed();
        return endOffsets(partitions).entrySet().stream()
                .mapToLong(e -> e.getValue() - committed.getOrDefault(e.getKey(), 0L)).sum();
    }

    /** Per partition, how many records were handled successfully: what the group must have committed, exactly. */
    Map<Integer, Long> handledPerPartition() {
        return handled.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> (long) e.getValue().size()));
    }

    /** Whether every member holds every partition it has paused, and together they hold {@code partitions}. */
    static boolean allPaused(int partitions, GatedConsumer<?, ?>... members) {
        int assigned = 0;
        for (GatedConsumer<?, ?> member : members) {
            var stats = member.stats();
            if (!stats.paused() || stats.pausedPartitions() != stats.assignedPartitions()) {
                return false;
            }
            assigned += stats.assignedPartitions();
        }
        return assigned == partitions;
    }
}
