package io.breakwater.spring.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The failed deliveries of the record each partition is stuck on, counted as the consumer gate counts them, with what
 * the breaker did between them: {@code inRow} starts again when, since the record's last delivery, the breaker
 * recorded no success but made a transition or recorded a failure (an outage, not the record: the breaker opened, a
 * trial failed, or the dependency keeps failing on its way to opening); {@code inAll} counts every failed delivery.
 * Kept per consumer thread, as Spring Kafka keeps its own count (a partition is one thread's at a time): each thread's
 * map is read and written by that thread alone.
 */
final class DeliveryAttempts {

    /** One record's failed deliveries. Its consumer thread's alone. */
    static final class Attempts {
        private long offset = -1;
        private long transitions;
        private long successes;
        private long failures;
        int inRow;
        int inAll;
    }

    private final Map<Thread, Map<TopicPartition, Attempts>> byThread = new ConcurrentHashMap<>();

    /**
     * Counts one more failed delivery of {@code record}, made when the breaker had made {@code transitions}, and
     * recorded {@code successes} successes and {@code failures} failures (this delivery's included, if it counted).
     * With no success since the last delivery, a transition or a failure since then starts the count in a row again;
     * after a success (others get through: the record is at fault) it goes on.
     */
    Attempts failed(ConsumerRecord<?, ?> record, long transitions, long successes, long failures) {
        Map<TopicPartition, Attempts> mine = byThread.computeIfAbsent(Thread.currentThread(), t -> new HashMap<>());
        Attempts a = mine.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), tp -> new Attempts());
        if (a.offset != record.offset()) {
            a.offset = record.offset();
            a.inRow = 0;
            a.inAll = 0;
        }
        boolean outage = a.successes == successes && (a.transitions != transitions || a.failures != failures);
        if (a.inRow > 0 && outage) {
            a.inRow = 0;
        }
        a.transitions = transitions;
        a.successes = successes;
        a.failures = failures;
        a.inRow++;
        a.inAll++;
        return a;
    }

    /** {@code record} was handed to the recoverer: its partition starts afresh. */
    void recovered(ConsumerRecord<?, ?> record) {
        Map<TopicPartition, Attempts> mine = byThread.get(Thread.currentThread());
        if (mine != null) {
            mine.remove(new TopicPartition(record.topic(), record.partition()));
        }
    }

    /** Forgets the calling thread's counts (its consumer stopped). */
    void clearThread() {
        byThread.remove(Thread.currentThread());
    }
}
