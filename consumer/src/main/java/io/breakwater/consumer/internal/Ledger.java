package io.breakwater.consumer.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
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

    /**
     * The failed attempts at the record a partition is stuck on. {@code inRow} counts toward {@code maxAttempts}: it
     * starts again after a breaker transition when nothing succeeded since the record's last attempt (an outage, not
     * the record); {@code inAll} counts every attempt, across transitions; {@code handOvers} counts the failed-record
     * handler's failed tries, apart from the handler's.
     */
    static final class Attempts {
        private long offset = -1;
        // The record's leader epoch, when known: after an unclean leader election another record may take its offset.
        private Optional<Integer> epoch = Optional.empty();
        private long transitions;
        private long successes;
        private long handled;
        // Whether this loop handled other records between the last two failed attempts at this one.
        boolean othersHandled;
        int inRow;
        int inAll;
        int handOvers;
        // The failure the record awaits its hand-over with, the failed-record handler having refused it; null: none.
        Throwable handOverDue;

        /** Whether these are the attempts at {@code record}: its offset, and its leader epoch where both know one. */
        boolean isOf(ConsumerRecord<?, ?> record) {
            return offset == record.offset()
                    && (epoch.isEmpty() || record.leaderEpoch().isEmpty() || epoch.equals(record.leaderEpoch()));
        }
    }

    void handled(ConsumerRecord<?, ?> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        handled.put(tp, new OffsetAndMetadata(record.offset() + 1, record.leaderEpoch(), ""));
        attempts.remove(tp);
    }

    /**
     * The record at {@code offset} of {@code tp} was skipped (Kafka could not deserialize it): the poll stopped there,
     * so every record before it came in earlier rounds and was handled (one that was not is sought back to, and the
     * poll would not have reached this one). Its offset may be committed past it.
     */
    void skipped(TopicPartition tp, long offset) {
        OffsetAndMetadata before = handled.get(tp);
        if (before == null || before.offset() <= offset) {
            handled.put(tp, new OffsetAndMetadata(offset + 1, Optional.empty(), ""));
        }
        attempts.remove(tp);
    }

    /**
     * Counts one more failed attempt at {@code record}, made when the breaker had made {@code transitions} and
     * recorded {@code successes} successes, and the loop had handled {@code handled} records: after a transition with no success since the last attempt, the count in
     * a row starts again (the breaker opened for an outage); after one with successes it goes on (the breaker
     * opened for this record: a poison record that is every trial).
     */
    Attempts failedAttempt(ConsumerRecord<?, ?> record, long transitions, long successes, long handled) {
        Attempts a = at(record);
        a.othersHandled = a.inRow > 0 && a.handled != handled;
        if (a.inRow > 0 && a.transitions != transitions && a.successes == successes) {
            a.inRow = 0;
        }
        a.transitions = transitions;
        a.successes = successes;
        a.handled = handled;
        a.inRow++;
        a.inAll++;
        return a;
    }

    /**
     * The failure {@code record} awaits its hand-over with (its failed-record handler refused it: a dead-letter producer
     * whose breaker is open, or that is closed), or null: it goes to that handler again, not to the record's handler.
     */
    Throwable handOverDue(ConsumerRecord<?, ?> record) {
        Attempts a = attempts.get(new TopicPartition(record.topic(), record.partition()));
        return a == null || !a.isOf(record) ? null : a.handOverDue;
    }

    /** Whether any record awaits its hand-over (a look at the partitions stuck on a record, not at every record). */
    boolean handOversDue() {
        return attempts.values().stream().anyMatch(a -> a.handOverDue != null);
    }

    void handOverRefused(ConsumerRecord<?, ?> record, Throwable failure) {
        at(record).handOverDue = failure;
    }

    /** Counts one more failed try of the failed-record handler with {@code record}, and returns the count. */
    int failedHandOver(ConsumerRecord<?, ?> record) {
        return ++at(record).handOvers;
    }

    private Attempts at(ConsumerRecord<?, ?> record) {
        Attempts a = attempts.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), tp -> new Attempts());
        if (!a.isOf(record)) {
            a.offset = record.offset();
            a.epoch = record.leaderEpoch();
            a.inRow = 0;
            a.inAll = 0;
            a.handOvers = 0;
            a.handOverDue = null;
        } else if (a.epoch.isEmpty()) {
            a.epoch = record.leaderEpoch();   // known from now on
        }
        return a;
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

    /** Every offset handled of {@code partitions}, committed already or not: what a commit that waits must cover. */
    Map<TopicPartition, OffsetAndMetadata> handledOffsets(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata offset = handled.get(tp);
            if (offset != null) {
                out.put(tp, offset);
            }
        }
        return out;
    }

    /** Every offset handled, committed already or not. */
    Map<TopicPartition, OffsetAndMetadata> handledOffsets() {
        return new HashMap<>(handled);
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
