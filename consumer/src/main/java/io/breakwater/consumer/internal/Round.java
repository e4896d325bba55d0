package io.breakwater.consumer.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one poll, each partition's together and in offset order, and the seeks back of the records that
 * are not handled in this round, so they are fetched again. A partition is sought back at most once a round, to its
 * first record not handled: the round moves forward through the records, so the first seek is the earliest.
 */
final class Round<K, V> {

    final List<ConsumerRecord<K, V>> records;
    private final Consumer<K, V> consumer;
    private final LoopCounters counters;
    private final Set<TopicPartition> soughtBack = new HashSet<>();

    Round(ConsumerRecords<K, V> polled, Consumer<K, V> consumer, LoopCounters counters) {
        this.records = new ArrayList<>(polled.count());
        for (TopicPartition tp : polled.partitions()) {
            records.addAll(polled.records(tp));
        }
        this.consumer = consumer;
        this.counters = counters;
    }

    int size() {
        return records.size();
    }

    ConsumerRecord<K, V> get(int index) {
        return records.get(index);
    }

    static TopicPartition partition(ConsumerRecord<?, ?> record) {
        return new TopicPartition(record.topic(), record.partition());
    }

    /** The index of the first record after {@code index} of another partition (or the size). */
    int nextPartition(int index) {
        ConsumerRecord<K, V> at = records.get(index);
        int i = index + 1;
        while (i < records.size() && records.get(i).partition() == at.partition() && records.get(i).topic().equals(at.topic())) {
            i++;
        }
        return i;
    }

    /** Seeks the partition of record {@code index} back to it: it and the rest of its partition come again. */
    void seekBack(int index) {
        ConsumerRecord<K, V> first = records.get(index);
        TopicPartition tp = partition(first);
        if (soughtBack.add(tp)) {
            consumer.seek(tp, new OffsetAndMetadata(first.offset(), first.leaderEpoch(), ""));
            counters.redelivered += nextPartition(index) - index;
        }
    }

    /** Seeks back every partition that has records from {@code from} on, each to its first record at or after it. */
    void seekBackFrom(int from) {
        for (int i = from; i < records.size(); i = nextPartition(i)) {
            seekBack(i);
        }
    }
}
