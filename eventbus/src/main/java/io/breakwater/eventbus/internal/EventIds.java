package io.breakwater.eventbus.internal;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Unique event ids, cheap to make: a random 64-bit prefix drawn once per bus, then a counter. Two buses (or
 * two runs of one application) share a prefix with a chance of 1 in 2^64.
 */
public final class EventIds {

    private final String prefix;
    private final AtomicLong counter = new AtomicLong();

    public EventIds() {
        this.prefix = String.format("%016x-", new SecureRandom().nextLong());
    }

    public String next() {
        return prefix + Long.toString(counter.incrementAndGet(), 36);
    }
}
