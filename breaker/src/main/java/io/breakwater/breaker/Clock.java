package io.breakwater.breaker;

import io.breakwater.breaker.internal.CoarseTicker;
import java.time.Instant;

/**
 * The source of time of a breaker. Every decision uses {@link #nanoTime()} (monotonic), or its cheaper
 * {@link #coarseNanoTime()} where a millisecond is precise enough; reports and events use
 * {@link #currentTimeMillis()} (wall clock). Tests use {@link ManualClock} and never sleep.
 */
public interface Clock {

    /** Monotonic nanoseconds, for durations only (like {@link System#nanoTime()}). */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch (like {@link System#currentTimeMillis()}). */
    long currentTimeMillis();

    /**
     * {@link #nanoTime()} to the millisecond, for what is read on every call and needs no more: the one-second buckets
     * of a time window, and whether an OPEN breaker's reset timeout has passed. Never ahead of {@code nanoTime()}.
     * The default reads {@code nanoTime()}, so a {@link ManualClock} stays exact; the system clock reads the tick of
     * a daemon thread, about a millisecond old at most, which costs one memory read instead of a clock read.
     */
    default long coarseNanoTime() {
        return nanoTime();
    }

    /** The wall-clock time that a monotonic reading of this clock corresponds to. */
    default Instant toInstant(long nanoTime) {
        long ageNanos = nanoTime() - nanoTime;
        return Instant.ofEpochMilli(currentTimeMillis()).minusNanos(ageNanos);
    }

    /** The system clock. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }

    /** The system clock as a named singleton, so it prints well. */
    enum SystemClock implements Clock {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public long coarseNanoTime() {
            return CoarseTicker.SYSTEM.nanoTime();
        }
    }
}
