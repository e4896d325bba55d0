package io.breakwater.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives one workload at a fixed rate from a few threads. Thread t owns keys {@code k-t}, {@code k-(t + threads)},
 * ..., and takes them in turn, so each key's events are published one after another by one thread, in the order
 * of their seq. A thread blocked in a call does not make up the ticks it missed: the rate is what callers could
 * do. Every operation goes to the history once it has both returned from its call and heard its outcome; those
 * still open when {@link #writePending()} is called are written as {@code pending}, and what they hear after that
 * is not written. Thread-safe.
 */
final class LoadDriver {

    private final Workload workload;
    private final int threads;
    private final int keys;
    private final long periodNanos;
    private final RunClock clock;
    private final HistoryWriter history;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<String, Operation> open = new ConcurrentHashMap<>();
    private final List<Thread> callers = new ArrayList<>();
    private volatile boolean stopped;

    /**
     * @throws IllegalArgumentException when {@code threads} is not in [1, keys] or the rate is not positive
     */
    LoadDriver(Workload workload, int threads, int keys, int ratePerSecond, RunClock clock, HistoryWriter history) {
        if (threads < 1 || threads > keys) {
            throw new IllegalArgumentException("threads must be in [1, keys=" + keys + "], but was " + threads);
        }
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("ratePerSecond must be >= 1, but was " + ratePerSecond);
        }
        this.workload = workload;
        this.threads = threads;
        this.keys = keys;
        this.periodNanos = TimeUnit.SECONDS.toNanos(1) * threads / ratePerSecond;
        this.clock = clock;
        this.history = history;
    }

    void start() {
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread caller = new Thread(() -> drive(thread), "chaos-" + workload.name() + "-" + t);
            caller.setDaemon(true);
            callers.add(caller);
            caller.start();
        }
    }

    private void drive(int thread) {
        List<Integer> owned = new ArrayList<>();
        for (int k = thread; k < keys; k += threads) {
            owned.add(k);
        }
        long[] seqs = new long[owned.size()];
        int turn = 0;
        long next = System.nanoTime() + periodNanos * thread / threads; // phases spread over the period
        while (!stopped) {
            long now = System.nanoTime();
            if (now < next) {
                LockSupport.parkNanos(next - now);
                continue;
            }
            next = Math.max(next + periodNanos, now); // no catching up on ticks missed while blocked
            int slot = turn++ % owned.size();
            issue(new Workload.Event(workload.name() + "-" + ids.incrementAndGet(), "k-" + owned.get(slot), seqs[slot]++));
        }
    }

    private void issue(Workload.Event event) {
        Operation op = new Operation(event, clock.micros());
        open.put(event.id(), op);
        long start = System.nanoTime();
        try {
            workload.send(event, op::heard);
        } catch (Throwable e) {
            op.heard(Outcome.of(e));
        }
        op.returned((System.nanoTime() - start) / 1000);
    }

    /** Issues no more operations; waits up to {@link #STOP_WAIT} for the callers to return. */
    void stop() throws InterruptedException {
        stopped = true;
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        for (Thread caller : callers) {
            caller.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }

    /** How long {@link #stop()} waits for the callers, all together. */
    static final java.time.Duration STOP_WAIT = java.time.Duration.ofMinutes(1);

    /** Issues no more operations, without waiting. */
    void halt() {
        stopped = true;
    }

    /** Operations not yet written: issued, and not both returned and answered. */
    int open() {
        return open.size();
    }

    long issued() {
        return ids.get();
    }

    /**
     * Writes every open operation as {@code pending}: never answered, or its call never returned (then with its call
     * time so far). Call once the callers have stopped.
     */
    int writePending() {
        int pending = 0;
        for (Operation op : open.values()) {
            if (op.writePending()) {
                pending++;
            }
        }
        return pending;
    }

    /** One operation until it is written. */
    private final class Operation {
        final Workload.Event event;
        final long invokeMicros;
        final AtomicReference<Outcome> outcome = new AtomicReference<>();
        // Two parts make an operation whole: its call returned, its outcome heard. The last one writes it.
        final AtomicInteger parts = new AtomicInteger(2);
        final java.util.concurrent.atomic.AtomicBoolean written = new java.util.concurrent.atomic.AtomicBoolean();
        volatile long callMicros = -1;
        volatile long completeMicros = -1;

        Operation(Workload.Event event, long invokeMicros) {
            this.event = event;
            this.invokeMicros = invokeMicros;
        }

        void heard(Outcome result) {
            long at = clock.micros();
            if (outcome.compareAndSet(null, result)) {
                completeMicros = at;
                part();
            }
        }

        void returned(long micros) {
            callMicros = micros;
            part();
        }

        private void part() {
            if (parts.decrementAndGet() == 0) {
                write();
            }
        }

        /** Writes the operation unless it was written; whether this call wrote it. */
        boolean write() {
            return write(callMicros, completeMicros, outcome.get());
        }

        /**
         * Writes the operation as pending unless it was written: never answered, or its call never returned (then
         * with its call time so far). An answer heard later is not written.
         */
        boolean writePending() {
            long call = callMicros;
            return write(call < 0 ? clock.micros() - invokeMicros : call, -1, Outcome.PENDING);
        }

        private boolean write(long call, long complete, Outcome result) {
            if (!written.compareAndSet(false, true)) {
                return false;
            }
            open.remove(event.id(), this);
            history.write(new History.Op(event.id(), workload.name(), event.key(), event.seq(), invokeMicros, call,
                    complete, result).line());
            return true;
        }
    }
}
