package io.breakwater.chaos;

import io.breakwater.eventbus.EventBus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads whole topics from their start to their end, as they are when the read begins. */
final class TopicReader {

    /**
     * One record as the checker needs it: where it is, the event id it carries (null when none), and its
     * {@code CreateTime} timestamp: the producer sets it once per {@code send()} and keeps it through the retries
     * and resequencing of that send, so two copies with different timestamps were two sends. {@value #NO_TIMESTAMP}
     * when the record's timestamp is not a CreateTime (then it proves nothing). {@code replay}: which send of the
     * event from the spill wrote it (the bus's {@code breakwater-replay} header), 0 for a direct send.
     */
    record Stored(String topic, int partition, long offset, String id, long timestamp, int replay) {
    }

    static final long NO_TIMESTAMP = -1;

    private TopicReader() {
    }

    /**
     * Every record of every partition of {@code topics}, up to the end offsets at the start of the read.
     *
     * @throws IllegalStateException when the end is not reached within {@code timeout}
     */
    static Map<String, List<Stored>> readAll(String bootstrapServers, Collection<String> topics, Duration timeout) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        Map<String, List<Stored>> read = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                read.put(topic, new ArrayList<>());
                for (PartitionInfo p : consumer.partitionsFor(topic, timeout)) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            while (!caughtUp(consumer, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topics + " to their end within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    String replay = text(r.headers().lastHeader(EventBus.REPLAY_HEADER));
                    read.get(r.topic()).add(new Stored(r.topic(), r.partition(), r.offset(),
                            text(r.headers().lastHeader(Workload.ID_HEADER)),
                            r.timestampType() == TimestampType.CREATE_TIME ? r.timestamp() : NO_TIMESTAMP,
                            replay == null ? 0 : Integer.parseInt(replay)));
                }
            }
        }
        return read;
    }

    private static String text(Header header) {
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }
}
