package io.breakwater.interceptors.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The interceptor's view of records in flight, without touching them: send times in send order, and the
 * count of acknowledgements seen. When a cluster stalls, acknowledgements stop altogether, so the send
 * time at position {@code acknowledged} is the oldest unanswered one, exactly when it matters. The
 * watchdog counts each record past the in-flight threshold as one failure and leaves a credit, so the
 * late acknowledgement of a record already counted is not counted again.
 *
 * <p>{@link #sent()} runs on the caller's thread, {@link #acknowledged()} on the producer's network
 * thread: both O(1), no lock, no allocation.
 */
public final class AckTracker implements Runnable {

    private static final int CAPACITY = 1 << 16;
    private static final int MASK = CAPACITY - 1;

    private final CircuitBreaker breaker;
    private final Clock clock;
    private final long epoch;
    private final long inFlightNanos;
    private final String thresholdName;
    private final AtomicLongArray sendTimes = new AtomicLongArray(CAPACITY);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    // Records the watchdog counted as failed whose acknowledgement has not come yet.
    private final AtomicLong credits = new AtomicLong();
    // The next position the watchdog has not judged; watchdog thread only.
    private long cursor;

    public AckTracker(CircuitBreaker breaker, Clock clock, Duration inFlightThreshold, String thresholdName) {
        this.breaker = breaker;
        this.clock = clock;
        this.epoch = clock.nanoTime() - 1;
        this.inFlightNanos = inFlightThreshold.toNanos();
        this.thresholdName = thresholdName;
    }

    /** A record was handed to the producer. */
    public void sent() {
        long position = sent.getAndIncrement();
        sendTimes.set((int) (position & MASK), clock.nanoTime() - epoch);
    }

    /** A record was answered. True when its outcome is to be recorded; false when the watchdog already did. */
    public boolean acknowledged() {
        acknowledged.incrementAndGet();
        for (;;) {
            long c = credits.get();
            if (c == 0) {
                return true;
            }
            if (credits.compareAndSet(c, c - 1)) {
                return false;
            }
        }
    }

    /** Records sent and not yet answered. */
    public long inFlight() {
        return Math.max(0, sent.get() - acknowledged.get());
    }

    @Override
    public void run() {
        long now = clock.nanoTime() - epoch;
        long limit = sent.get();
        long c = Math.max(Math.max(cursor, acknowledged.get() + credits.get()), limit - CAPACITY);
        while (c < limit) {
            long sentAt = sendTimes.get((int) (c & MASK));
            long age = now - sentAt;
            if (sentAt == 0L || age < inFlightNanos) {
                break;
            }
            credits.incrementAndGet();
            breaker.recordFailure("no acknowledgement for " + age / 1_000_000 + " ms (" + thresholdName + "="
                    + inFlightNanos / 1_000_000 + ")");
            c++;
        }
        cursor = c;
        breaker.checkTimeouts();
    }

    @Override
    public String toString() {
        return "AckTracker[" + breaker.name() + "]";
    }
}
