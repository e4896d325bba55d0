package io.breakwater.breaker;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to, for tests: {@code clock.advance(Duration.ofSeconds(30))} instead
 * of sleeping. Thread-safe; both readings move together.
 */
public final class ManualClock implements Clock {

    // Monotonic and wall time advance together, so one counter holds both: nanos since start.
    private final AtomicLong elapsedNanos = new AtomicLong();
    private final long startMillis;

    /** A clock that reads 2026-01-01T00:00:00Z at its start. */
    public ManualClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    /** A clock that reads {@code start} at its start. */
    public ManualClock(Instant start) {
        this.startMillis = Objects.requireNonNull(start, "start").toEpochMilli();
    }

    /** Moves time forward; a negative or zero duration is a bug in the test and is refused. */
    public ManualClock advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be > 0, but was " + duration);
        }
        elapsedNanos.addAndGet(duration.toNanos());
        return this;
    }

    /** Moves time forward by {@code millis} milliseconds. */
    public ManualClock advanceMillis(long millis) {
        return advance(Duration.ofMillis(millis));
    }

    @Override
    public long nanoTime() {
        return elapsedNanos.get();
    }

    @Override
    public long currentTimeMillis() {
        return startMillis + elapsedNanos.get() / 1_000_000L;
    }

    /** The current wall-clock reading. */
    public Instant instant() {
        return Instant.ofEpochMilli(startMillis).plusNanos(elapsedNanos.get());
    }

    @Override
    public Instant toInstant(long nanoTime) {
        return Instant.ofEpochMilli(startMillis).plusNanos(nanoTime);
    }

    @Override
    public String toString() {
        return "ManualClock[" + instant() + "]";
    }
}
