package io.breakwater.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The control of an outage cell: threads paced as the lanes' callers, each call doing what a refusal does without any
 * breaker (an exception without a stack trace, the record's metadata, a callback, a failed future). What it takes
 * while the cell runs is the floor of this machine and JVM for such a call, so a refusal's tail can be told from it.
 */
final class ControlLane implements AutoCloseable {

    private static final class Refused extends RuntimeException {
        Refused() {
            super("refused", null, false, false);
        }
    }

    private final List<Thread> threads = new ArrayList<>();
    private final List<long[]> samples = new ArrayList<>();
    private final int[] written;
    private volatile boolean running = true;
    private volatile long from = Long.MAX_VALUE;
    private volatile long until = Long.MAX_VALUE;
    // Keeps the calls' results from being optimized away.
    volatile Object sink;

    ControlLane(int threadCount, String topic) {
        written = new int[threadCount];
        for (int t = 0; t < threadCount; t++) {
            long[] own = new long[200_000];
            samples.add(own);
            int slot = t;
            Thread thread = new Thread(() -> loop(topic, own, slot), topic + "-control-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void loop(String topic, long[] own, int slot) {
        int n = 0;
        long next = System.nanoTime();
        while (running) {
            long t0 = System.nanoTime();
            RuntimeException e = new Refused();
            TopicPartition tp = new TopicPartition(topic, RecordMetadata.UNKNOWN_PARTITION);
            answered(new RecordMetadata(tp, -1, -1, -1L, -1, -1), e);
            sink = CompletableFuture.failedFuture(e);
            long took = System.nanoTime() - t0;
            if (t0 >= from && t0 < until && n < own.length) {
                own[n++] = took;
                written[slot] = n;
            }
            next = OutageLane.paced(next);
        }
    }

    private void answered(RecordMetadata metadata, Exception e) {
        if (metadata.offset() == 42 && e != null) {
            sink = metadata;
        }
    }

    /** Calls from {@code nanos} on count. */
    void measureFrom(long nanos) {
        from = nanos;
    }

    /** Calls from {@code nanos} on no longer count. */
    void measureUntil(long nanos) {
        until = nanos;
    }

    /** Stops the threads; the p50 and p99 of the calls since {@link #measureFrom}, in µs. */
    double[] stop() {
        running = false;
        OutageLane.joinAll(threads);
        long[] all = new long[0];
        for (int t = 0; t < samples.size(); t++) {
            long[] own = Arrays.copyOf(samples.get(t), written[t]);
            long[] joined = Arrays.copyOf(all, all.length + own.length);
            System.arraycopy(own, 0, joined, all.length, own.length);
            all = joined;
        }
        Arrays.sort(all);
        if (all.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {all[all.length / 2] / 1e3, all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e3};
    }

    @Override
    public void close() {
        running = false;
    }
}
