package io.breakwater.consumer;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerConfigBuilder;
import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A MockConsumer on topic {@code orders}, a breaker on a manual clock, and helpers to feed records and read what the
 * consumer did. Records are fed from the log kept here, from each partition's position, as a broker would deliver
 * them (MockConsumer itself forgets records added while a partition is paused).
 */
final class Fixture {

    static final String TOPIC = "orders";
    static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    static final TopicPartition P2 = new TopicPartition(TOPIC, 2);

    final ManualClock clock = new ManualClock();
    final CountingConsumer consumer = new CountingConsumer();
    // What each partition holds, as a broker would: the fixture delivers from a partition's position on.
    private final Map<TopicPartition, List<ConsumerRecord<String, String>>> log = new HashMap<>();
    /** What the handler was called with, in order ("p-offset"). */
    final List<String> calls = new CopyOnWriteArrayList<>();
    final CircuitBreaker breaker;

    Fixture(UnaryOperator<CircuitBreakerConfigBuilder> config) {
        breaker = CircuitBreaker.of(config.apply(CircuitBreakerConfig.builder("orders-db").clock(clock)).build());
    }

    Fixture() {
        this(b -> b.failureThreshold(1).resetTimeout(Duration.ofSeconds(10)).halfOpenMaxCalls(3).successThreshold(3));
    }

    /** Runs {@code n} rounds of the loop on this thread. */
    static void rounds(GatedConsumer<?, ?> gated, int n) {
        for (int i = 0; i < n; i++) {
            gated.runOnce();
        }
    }

    /** Adds {@code count} records to {@code tp}'s log (values "v{offset}"). */
    void produce(TopicPartition tp, int count) {
        List<ConsumerRecord<String, String>> records = log.computeIfAbsent(tp, k -> new ArrayList<>());
        for (int i = 0; i < count; i++) {
            int offset = records.size();
            records.add(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, "k" + offset, "v" + offset));
        }
    }

    /** Assigns {@code partitions} (a rebalance), all starting at offset 0 unless committed. */
    void assign(TopicPartition... partitions) {
        Map<TopicPartition, Long> beginnings = new HashMap<>();
        for (TopicPartition tp : partitions) {
            beginnings.put(tp, 0L);
        }
        consumer.updateBeginningOffsets(beginnings);
        consumer.rebalance(List.of(partitions));
    }

    /** The last offset committed for {@code tp}, or -1 (MockConsumer answers 0 for partitions not assigned). */
    long committed(TopicPartition tp) {
        return consumer.commits.getOrDefault(tp, -1L);
    }

    /**
     * Starts {@code gated}, gives it {@code records} records on P0, then opens the breaker with a failure and lets its
     * reset timeout pass: the next round finds it HALF_OPEN.
     */
    void halfOpenWith(GatedConsumer<?, ?> gated, int records) {
        gated.runOnce();
        assign(P0);
        produce(P0, records);
        breaker.recordFailure(new java.io.IOException("down"));
        clock.advance(breaker.config().resetTimeout());
    }

    /** A handler that records its calls and fails with {@code failure.apply(record)} when that is not null. */
    RecordHandler<String, String> handler(java.util.function.Function<ConsumerRecord<String, String>, Exception> failure) {
        return record -> {
            calls.add(record.partition() + "-" + record.offset());
            Exception e = failure.apply(record);
            if (e != null) {
                throw e;
            }
        };
    }

    RecordHandler<String, String> handler() {
        return handler(r -> null);
    }

    GatedConsumerBuilder<String, String> builder() {
        return GatedConsumer.builder((org.apache.kafka.clients.consumer.Consumer<String, String>) consumer, breaker)
                .topics(TOPIC);
    }

    /** The MockConsumer, fed from the fixture's log before each poll, counting polls and wakeups, by thread. */
    final class CountingConsumer extends MockConsumer<String, String> {
        final AtomicInteger polls = new AtomicInteger();
        final Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        int maxPerPoll = 500;
        // Runs once, at the start of the next poll (to throw from it, say).
        volatile Runnable beforePoll;
        // Whether an empty poll waits its timeout, as Kafka's does (for loops on their own thread).
        volatile boolean blockingPolls;

        CountingConsumer() {
            super("earliest");
        }

        @Override
        public synchronized ConsumerRecords<String, String> poll(Duration timeout) {
            threads.add(Thread.currentThread().getName());
            polls.incrementAndGet();
            Runnable hook = beforePoll;
            if (hook != null) {
                beforePoll = null;
                hook.run();
            }
            ConsumerRecords<String, String> first = super.poll(Duration.ZERO); // settles positions and rebalances
            if (!first.isEmpty()) {
                return first;
            }
            for (TopicPartition tp : assignment()) {
                if (paused().contains(tp)) {
                    continue;
                }
                long from = position(tp);
                List<ConsumerRecord<String, String>> records = log.getOrDefault(tp, List.of());
                for (long o = from; o < records.size() && o < from + maxPerPoll; o++) {
                    addRecord(records.get((int) o));
                }
            }
            ConsumerRecords<String, String> polled = super.poll(Duration.ZERO);
            if (polled.isEmpty() && blockingPolls) {
                java.util.concurrent.locks.LockSupport.parkNanos(timeout.toNanos()); // as Kafka's poll waits for records
            }
            return polled;
        }

        @Override
        public synchronized void seek(TopicPartition partition, OffsetAndMetadata offset) {
            threads.add(Thread.currentThread().getName());
            super.seek(partition, offset);
        }

        @Override
        public synchronized void pause(java.util.Collection<TopicPartition> partitions) {
            threads.add(Thread.currentThread().getName());
            super.pause(partitions);
        }

        @Override
        public synchronized void resume(java.util.Collection<TopicPartition> partitions) {
            threads.add(Thread.currentThread().getName());
            super.resume(partitions);
        }

        @Override
        public synchronized void seek(TopicPartition partition, long offset) {
            threads.add(Thread.currentThread().getName());
            super.seek(partition, offset);
        }

        final AtomicInteger wakeups = new AtomicInteger();

        /** As Kafka does (MockConsumer does not): a partition that leaves the assignment forgets its pause. */
        @Override
        public synchronized void rebalance(java.util.Collection<TopicPartition> newAssignment) {
            Set<TopicPartition> leaving = new java.util.HashSet<>(assignment());
            leaving.removeAll(newAssignment);
            super.resume(leaving);
            super.rebalance(newAssignment);
        }
        final Map<TopicPartition, Long> commits = new java.util.concurrent.ConcurrentHashMap<>();
        // Whether asynchronous commits stay in flight (never sent nor answered), as when the coordinator is slow.
        volatile boolean asyncCommitsInFlight;

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                                             org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
            threads.add(Thread.currentThread().getName());
            if (asyncCommitsInFlight) {
                return;
            }
            offsets.forEach((tp, o) -> commits.put(tp, o.offset()));
            super.commitAsync(offsets, callback);
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
            threads.add(Thread.currentThread().getName());
            offsets.forEach((tp, o) -> commits.put(tp, o.offset()));
            super.commitSync(offsets, timeout);
        }

        @Override
        public synchronized void wakeup() {
            wakeups.incrementAndGet();
            super.wakeup();
        }
    }
}
