package io.breakwater.consumer.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What the loop has handled, per partition: the offset to commit (one past the last record handled, successfully
 * or by the failed-record handler), what was committed or is being committed, and the failed attempts of the
 * record a partition is stuck on. Only handled records move an offset, so no commit ever passes a record that was
 * not handled. The loop thread's alone (commit callbacks run on it too).
 */
final class Ledger {

    private final Map<TopicPartition, OffsetAndMetadata> handled = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final Map<TopicPartition, Attempts> attempts = new HashMap<>();

    /** The failed attempts at one record, counted while the breaker made no transition. */
    private static final class Attempts {
        long offset;
        long transitions;
        int count;
    }

    void handled(ConsumerRecord<?, ?> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        handled.put(tp, new OffsetAndMetadata(record.offset() + 1, record.leaderEpoch(), ""));
        attempts.remove(tp);
    }

    /**
     * Counts one more failed attempt at {@code record} and returns the count: attempts at another record, or made
     * before the breaker's last transition, start the count again.
     */
    int failedAttempt(ConsumerRecord<?, ?> record, long transitions) {
        Attempts a = attempts.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), tp -> new Attempts());
        if (a.count == 0 || a.offset != record.offset() || a.transitions != transitions) {
            a.offset = record.offset();
            a.transitions = transitions;
            a.count = 0;
        }
        return ++a.count;
    }

    /** The offsets handled and not committed yet (nor being committed), of every partition. */
    Map<TopicPartition, OffsetAndMetadata> uncommitted() {
        return uncommitted(handled.keySet());
    }

    /** The offsets handled and not committed yet (nor being committed), of {@code partitions}. */
    Map<TopicPartition, OffsetAndMetadata> uncommitted(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata offset = handled.get(tp);
            Long done = committed.get(tp);
            if (offset != null && (done == null || done < offset.offset())) {
                out.put(tp, offset);
            }
        }
        return out;
    }

    /** A commit of {@code offsets} was sent (or succeeded). */
    void committing(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, offset) -> committed.merge(tp, offset.offset(), Math::max));
    }

    /** A commit of {@code offsets} failed: they count as uncommitted again, unless a later commit covers them. */
    void commitFailed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((tp, offset) -> committed.computeIfPresent(tp, (k, done) -> done <= offset.offset() ? null : done));
    }

    /** The offset to commit for {@code tp}, or null when nothing of it was handled here. */
    OffsetAndMetadata handledOffset(TopicPartition tp) {
        return handled.get(tp);
    }

    /** {@code partitions} are no longer this consumer's. */
    void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            handled.remove(tp);
            committed.remove(tp);
            attempts.remove(tp);
        }
    }
}
