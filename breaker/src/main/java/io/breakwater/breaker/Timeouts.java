package io.breakwater.breaker;

import java.time.Duration;
import java.util.Objects;

/** Checks for the timeouts that close methods take. */
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
}
