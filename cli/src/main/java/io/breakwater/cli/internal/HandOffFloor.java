package io.breakwater.cli.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The machine's floor for a call that never blocks: the least such a call can do, timed like the demo's paths, at
 * their pace. A call puts an object on a lock-free queue and wakes the one thread that empties it. Whatever a
 * publish does on top of that is its own cost; what this takes is the machine's (waking a thread on another CPU,
 * caches gone cold between calls, the other threads and the broker on the same cores).
 */
final class HandOffFloor implements AutoCloseable {

    private static final int WARM_UP = 20_000;

    private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
    private final Thread taker;
    private final PathStats stats;
    private volatile boolean running = true;

    HandOffFloor(PathStats stats) {
        this.stats = stats;
        this.taker = new Thread(this::take, "demo-floor-taker");
        taker.setDaemon(true);
        taker.start();
        for (int i = 0; i < WARM_UP; i++) {   // compiled, as the paths' code is before the demo times it
            queue.offer(Long.valueOf(i));
            LockSupport.unpark(taker);
        }
    }

    /** One call, timed from its start to its return. */
    void call() {
        long sequence = stats.published.incrementAndGet();
        long t0 = System.nanoTime();
        queue.offer(Long.valueOf(sequence));
        LockSupport.unpark(taker);
        stats.blocked(System.nanoTime() - t0);
    }

    private void take() {
        while (running) {
            while (queue.poll() != null) {
                // taken: nothing to count (its call time is the figure)
            }
            LockSupport.park(this);
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(taker);
    }
}
