package io.breakwater.breaker;

import java.time.Duration;
import java.util.Objects;

/** Checks for the timeouts and thresholds that close methods and builders take. */
public final class Timeouts {

    private Timeouts() {
    }

    /**
     * {@code timeout}, checked: not null, not negative.
     *
     * @throws IllegalArgumentException "timeout must be >= 0, but was ..." for a negative one
     */
    public static Duration nonNegative(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0, but was " + timeout);
        }
        return timeout;
    }

    /**
     * {@code duration}, checked: not null, greater than zero.
     *
     * @throws IllegalArgumentException "{name} must be > 0, but was ..." for zero or a negative one
     */
    public static Duration positive(String name, Duration duration) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, but was " + duration);
        }
        return duration;
    }

    /**
     * {@code timeout} in nanoseconds, from 0 up to a century: a deadline {@code System.nanoTime() + deadlineNanos(t)}
     * never overflows, however long the timeout ({@code Duration.ofMillis(Long.MAX_VALUE)}, say).
     */
    public static long deadlineNanos(Duration timeout) {
        Duration century = Duration.ofDays(36_500);
        return timeout.isNegative() ? 0 : timeout.compareTo(century) > 0 ? century.toNanos() : timeout.toNanos();
    }
}
