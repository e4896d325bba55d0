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
}
