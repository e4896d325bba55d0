package io.breakwater.breaker;

import io.breakwater.breaker.internal.Failures;

/**
 * The last failure a breaker recorded. Describing a failure (class, message, secrets masked) takes a few
 * regular expressions, so it is done when someone reads it, not on the thread that recorded it, which may
 * be Kafka's network thread.
 */
final class LastFailure {

    final long atMillis;
    private final Throwable error;
    private final String rawDetails;
    // Computed on first read; a race computes the same text twice, harmlessly.
    private volatile String details;

    LastFailure(long atMillis, Throwable error, String rawDetails) {
        this.atMillis = atMillis;
        this.error = error;
        this.rawDetails = rawDetails;
    }

    String details() {
        String d = details;
        if (d == null) {
            d = error != null ? Failures.describe(error) : Failures.sanitize(rawDetails);
            details = d;
        }
        return d;
    }
}
