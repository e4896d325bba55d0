package io.breakwater.breaker.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link System#nanoTime()} as of the last tick of a daemon thread, for readers that need no more than millisecond
 * precision and read the time on every call (the one-second buckets of a time window, the reset timeout of an OPEN
 * breaker): one memory read instead of a clock read. The thread ticks while the time is read, and ends once it has
 * gone unread for a while (or is interrupted); the read that finds no thread starts one and gets
 * {@code System.nanoTime()} itself. A
 * reading is never ahead of {@code System.nanoTime()}, and behind it by about a tick at most, more only while the
 * thread waits for a processor.
 */
public final class CoarseTicker {

    /** The system clock's ticker, {@code breakwater-ticker}: a tick each millisecond, ended after a second unread. */
    public static final CoarseTicker SYSTEM = new CoarseTicker("breakwater-ticker", TimeUnit.MILLISECONDS.toNanos(1), 1_000);

    /** The reading while no thread ticks: a reader that sees it starts one. */
    private static final long ASLEEP = Long.MIN_VALUE;
    private static final VarHandle NOW;
    private static final VarHandle READ;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            NOW = lookup.findVarHandle(CoarseTicker.class, "now", long.class);
            READ = lookup.findVarHandle(CoarseTicker.class, "read", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String threadName;
    private final long tickNanos;
    private final int idleTicks;
    // The last tick, or ASLEEP. Written by the ticker thread; by a reader only from ASLEEP, by compare-and-set.
    private volatile long now = ASLEEP;
    // Whether the time was read since the ticker thread last cleared it: set by readers (only when clear), cleared by
    // the thread every idleTicks ticks. Opaque accesses only.
    private boolean read;
    // The ticker thread; null before it starts and after it has died. Guarded by this.
    private Thread thread;

    /** A ticker whose thread, {@code threadName}, ticks every {@code tickNanos} and ends after {@code idleTicks} ticks unread. */
    CoarseTicker(String threadName, long tickNanos, int idleTicks) {
        this.threadName = threadName;
        this.tickNanos = tickNanos;
        this.idleTicks = idleTicks;
    }

    /** Monotonic nanoseconds, comparable with {@link System#nanoTime()}, about a tick old at most. */
    public long nanoTime() {
        long t = now;
        if (t == ASLEEP) {
            return wake();
        }
        if (!(boolean) READ.getOpaque(this)) {
            READ.setOpaque(this, true);
        }
        return t;
    }

    /** Whether no thread ticks: the next read starts one. */
    boolean asleep() {
        return now == ASLEEP;
    }

    private long wake() {
        long t = fresh();
        if (NOW.compareAndSet(this, ASLEEP, t)) {
            READ.setOpaque(this, true);
            ensureTicking();
            return t;
        }
        // Another reader woke the thread first: its reading, a little older than t, is the one every reader sees.
        long woken = now;
        return woken == ASLEEP ? t : woken;
    }

    private synchronized void ensureTicking() {
        if (thread == null) {
            // No inherited thread locals, and no context class loader: the thread outlives the caller that started
            // it, and must not keep an application's class loader reachable after that application is undeployed.
            Thread t = new Thread(null, this::tick, threadName, 0, false);
            t.setContextClassLoader(null);
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    /** The ticker thread, or null when none runs. */
    synchronized Thread thread() {
        return thread;
    }

    /**
     * Ticks until nobody read the time for {@code idleTicks} ticks, or until the thread is interrupted; then the
     * thread ends, and the next read, seeing {@code ASLEEP}, starts another. A reader that read the last tick just
     * before has its time.
     */
    private void tick() {
        try {
            int ticks = 0;
            for (;;) {
                LockSupport.parkNanos(tickNanos);
                if (Thread.interrupted()) {
                    return;
                }
                now = fresh();
                if (++ticks == idleTicks) {
                    ticks = 0;
                    if (!(boolean) READ.getOpaque(this)) {
                        return;
                    }
                    READ.setOpaque(this, false);
                }
            }
        } finally {
            synchronized (this) {
                thread = null;
                now = ASLEEP;
            }
        }
    }

    private static long fresh() {
        long t = System.nanoTime();
        return t == ASLEEP ? t + 1 : t;
    }
}
