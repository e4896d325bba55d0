package io.breakwater.it;

import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady load of keyed events on one stream of an EventBus: {@code threads} publishers, each at a fixed rate,
 * each owning its own keys (thread t has keys t, t + threads, ...), so that every key's events are published in
 * the order of their sequence numbers. Every outcome is tallied: acknowledged, spilled, failed.
 */
final class SpillLoad implements AutoCloseable {

    /** An event of the load, as the codec writes it: {@code {"key":"k-3","seq":17}}. */
    record Tick(String key, long seq) {
    }

    /** Hears each publish's outcome: a result, or the error it failed with. */
    interface Listener {
        void heard(Tick tick, PublishResult result, Throwable error);
    }

    private final EventBus bus;
    private final String stream;
    private final int threads;
    private final int keys;
    private final long periodNanos;
    private final List<ScheduledExecutorService> publishers = new ArrayList<>();
    // Per key, the next sequence number; each key is only touched by the thread that owns it.
    private final long[] nextSeq;
    private final int[] nextKeyOfThread;
    /** Every event whose publish completed normally, by its event id. */
    final ConcurrentMap<String, Tick> completed = new ConcurrentHashMap<>();
    final AtomicLong published = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong spilled = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile Listener listener = (tick, result, error) -> { };

    SpillLoad(EventBus bus, String stream, int threads, int keys, int eventsPerSecond) {
        this.bus = bus;
        this.stream = stream;
        this.threads = threads;
        this.keys = keys;
        this.periodNanos = TimeUnit.SECONDS.toNanos(1) * threads / eventsPerSecond;
        this.nextSeq = new long[keys];
        this.nextKeyOfThread = new int[threads];
    }

    /** Tells {@code listener} every outcome, after it is tallied. */
    SpillLoad listener(Listener listener) {
        this.listener = listener;
        return this;
    }

    SpillLoad start() {
        for (int t = 0; t < threads; t++) {
            int thread = t;
            ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread th = new Thread(r, "spill-load-" + thread);
                th.setDaemon(true);
                return th;
            });
            publishers.add(publisher);
            // Phases spread over the period: the publishes of all threads together come evenly, not in bursts.
            publisher.scheduleAtFixedRate(() -> publishNext(thread), periodNanos * thread / threads, periodNanos,
                    TimeUnit.NANOSECONDS);
        }
        return this;
    }

    private void publishNext(int thread) {
        int keyIndex = thread + threads * nextKeyOfThread[thread];
        nextKeyOfThread[thread] = (nextKeyOfThread[thread] + 1) % ((keys - thread + threads - 1) / threads);
        String key = "k-" + keyIndex;
        Tick tick = new Tick(key, nextSeq[keyIndex]++);
        published.incrementAndGet();
        try {
            bus.publishStream(stream, key, tick, Map.of()).whenComplete((result, error) -> record(tick, result, error));
        } catch (Throwable e) {
            record(tick, null, e);
        }
    }

    private void record(Tick tick, PublishResult result, Throwable error) {
        if (error != null) {
            failed.incrementAndGet();
            if (failures.size() < 10) {
                failures.add(error);
            }
        } else {
            completed.put(result.eventId(), tick);
            if (result.spilled()) {
                spilled.incrementAndGet();
            } else if (result.acknowledged()) {
                acked.incrementAndGet();
            }
        }
        listener.heard(tick, result, error);
    }

    /** Publishes answered so far, either way. */
    long answered() {
        return acked.get() + spilled.get() + failed.get();
    }

    /** Stops publishing; publishes already made still complete. */
    void stop() throws InterruptedException {
        publishers.forEach(ScheduledExecutorService::shutdown);
        for (ScheduledExecutorService publisher : publishers) {
            if (!publisher.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a publisher did not stop within 10 s");
            }
        }
    }

    @Override
    public void close() {
        publishers.forEach(ScheduledExecutorService::shutdownNow);
    }

    String counts() {
        return "published " + published + ", acked directly " + acked + ", spilled " + spilled + ", failed " + failed;
    }
}
