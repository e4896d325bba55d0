package io.breakwater.breaker.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link System#nanoTime()} as of the last tick of a daemon thread, for readers that need no more than millisecond
 * precision and read the time on every call (the one-second buckets of a time window, the reset timeout of an OPEN
 * breaker): one memory read instead of a clock read. The thread ticks while the time is read, and sleeps once it
 * has gone unread for a while; the read that finds it asleep wakes it and gets {@code System.nanoTime()} itself. A
 * reading is never ahead of {@code System.nanoTime()}, and behind it by about a tick at most, more only while the
 * thread waits for a processor.
 */
public final class CoarseTicker {

    /** The system clock's ticker, {@code breakwater-ticker}: a tick each millisecond, asleep after a second unread. */
    public static final CoarseTicker SYSTEM = new CoarseTicker("breakwater-ticker", TimeUnit.MILLISECONDS.toNanos(1), 1_000);

    /** The reading while the thread sleeps (or has not started): a reader that sees it wakes the thread. */
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

    /** A ticker whose thread, {@code threadName}, ticks every {@code tickNanos} and sleeps after {@code idleTicks} ticks unread. */
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

    /** Whether the thread sleeps (or has not started): the next read wakes it. */
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
            Thread t = new Thread(this::tick, threadName);
            t.setDaemon(true);
            thread = t;
            t.start();
        } else {
            LockSupport.unpark(thread);
        }
    }

    private void tick() {
        try {
            int ticks = 0;
            for (;;) {
                LockSupport.parkNanos(tickNanos);
                now = fresh();
                if (++ticks == idleTicks) {
                    ticks = 0;
                    if ((boolean) READ.getOpaque(this)) {
                        READ.setOpaque(this, false);
                    } else {
                        sleep();
                    }
                }
            }
        } finally {
            synchronized (this) {
                thread = null;
                now = ASLEEP;
            }
        }
    }

    /**
     * Nobody read the time for {@code idleTicks} ticks: readings stop until a reader wakes the thread. A reader that
     * read the last tick just before has its time; the next one sees {@code ASLEEP} and wakes the thread.
     */
    private void sleep() {
        now = ASLEEP;
        while (now == ASLEEP) {
            LockSupport.park(this);
        }
    }

    private static long fresh() {
        long t = System.nanoTime();
        return t == ASLEEP ? t + 1 : t;
    }
}
