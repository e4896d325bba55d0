package io.breakwater.breaker;

import java.time.Instant;

/**
 * The source of time of a breaker. Every decision uses {@link #nanoTime()} (monotonic); reports and
 * events use {@link #currentTimeMillis()} (wall clock). Tests use {@link ManualClock} and never sleep.
 */
public interface Clock {

    /** Monotonic nanoseconds, for durations only (like {@link System#nanoTime()}). */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch (like {@link System#currentTimeMillis()}). */
    long currentTimeMillis();

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
    }
}
