package io.breakwater.cli.internal;

import io.breakwater.eventbus.EventBus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The end of the demo: reads the EventBus's topic back and counts the events the bus answered for
 * (acknowledged, or spilled and replayed) whose {@value EventBus#EVENT_ID_HEADER} is not there.
 */
final class TopicCheck {

    private TopicCheck() {
    }

    // Records stamped this long before the run began are read too: the clocks of the demo and the broker may differ.
    private static final long CLOCK_MARGIN_MILLIS = 5 * 60_000;

    /**
     * How many of {@code ids} are not on {@code topic}, read from the run's start ({@code sinceMillis}, less a margin for
     * the clocks: a topic a user's cluster has held for long is not read whole) to its end now; -1 if it cannot tell in
     * time or is {@code stop}ped.
     */
    static long missing(String servers, String topic, Set<String> ids, Duration timeout, java.util.function.BooleanSupplier stop,
                        long sinceMillis) {
        Set<String> left = new HashSet<>(ids);
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> since = new HashMap<>();
            partitions.forEach(p -> since.put(p, Math.max(0, sinceMillis - CLOCK_MARGIN_MILLIS)));
            consumer.offsetsForTimes(since, timeout).forEach((p, found) -> consumer.seek(p, found == null ? end.get(p)
                    : found.offset()));   // none as late: nothing of the run is there
            while (!left.isEmpty() && !readToEnd(consumer, end)) {
                if (System.nanoTime() > deadline || stop.getAsBoolean()) {
                    return -1;
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Header id = record.headers().lastHeader(EventBus.EVENT_ID_HEADER);
                    if (id != null) {
                        left.remove(new String(id.value(), StandardCharsets.UTF_8));
                    }
                }
            }
            return left.size();
        } catch (RuntimeException e) {
            System.err.println("Could not read topic " + topic + " back: " + e);
            return -1;
        }
    }

    private static boolean readToEnd(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }
}
