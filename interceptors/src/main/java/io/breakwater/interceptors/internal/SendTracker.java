package io.breakwater.interceptors.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;

/**
 * The sends of one {@code CircuitBreakerProducer} that have not been answered, in send order, in a ring
 * of slots: each slot holds when its send began and whether {@code send()} has returned yet. The
 * watchdog (not the caller) walks the ring and counts a send as failed once it has blocked longer than
 * the block threshold, or waited for its acknowledgement longer than the in-flight threshold. Whoever
 * settles a slot first (the callback with the real outcome, or the watchdog with a timeout) wins it by
 * compare-and-set, so each send is counted exactly once.
 *
 * <p>Per send: one ticket increment and three slot writes; no lock, no allocation.
 */
public final class SendTracker implements Runnable {

    private static final long ANSWERED = -1L;
    private static final long EXPIRED = -2L;
    /** Slots of a producer's tracker: sends that may be pending at once before the oldest are forgotten. */
    public static final int DEFAULT_CAPACITY = 1 << 16;

    private final CircuitBreaker breaker;
    private final Clock clock;
    private final long epoch;
    private final long blockNanos;
    private final long inFlightNanos;
    private final String blockThresholdName;
    private final String inFlightThresholdName;
    private final BooleanSupplier countExpired;
    // Slot of ticket t is t & mask: (start << 1 | blocking) while pending, then ANSWERED or EXPIRED.
    private final int capacity;
    private final long mask;
    private final AtomicLongArray slots;
    private final AtomicLong tickets = new AtomicLong();
    // The oldest ticket that may still be pending; read and written by the watchdog thread only.
    private long cursor;

    public SendTracker(CircuitBreaker breaker, Clock clock, Duration blockThreshold, Duration inFlightThreshold,
                       String blockThresholdName, String inFlightThresholdName) {
        this(breaker, clock, blockThreshold, inFlightThreshold, blockThresholdName, inFlightThresholdName, () -> true,
                DEFAULT_CAPACITY);
    }

    /**
     * A tracker whose expired sends count only while {@code countExpired} says so; otherwise they are
     * settled without a word (for a shared transport whose other sends still succeed).
     */
    public SendTracker(CircuitBreaker breaker, Clock clock, Duration blockThreshold, Duration inFlightThreshold,
                       String blockThresholdName, String inFlightThresholdName, BooleanSupplier countExpired,
                       int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of 2, but was " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.slots = new AtomicLongArray(capacity);
        this.countExpired = countExpired;
        this.breaker = breaker;
        this.clock = clock;
        this.epoch = clock.nanoTime() - 1;
        this.blockNanos = blockThreshold.toNanos();
        this.inFlightNanos = inFlightThreshold.toNanos();
        this.blockThresholdName = blockThresholdName;
        this.inFlightThresholdName = inFlightThresholdName;
    }

    /** A send begins at {@code startNanos} (of the tracker's clock); returns its ticket. */
    public long begin(long startNanos) {
        long ticket = tickets.getAndIncrement();
        slots.set((int) (ticket & mask), encode(startNanos, true));
        return ticket;
    }

    /** {@code send()} returned: the record waits for its acknowledgement now. */
    public void sendReturned(long ticket, long startNanos) {
        slots.compareAndSet((int) (ticket & mask), encode(startNanos, true), encode(startNanos, false));
    }

    /**
     * The send is answered (its callback ran, or {@code send()} threw). True when the caller is the one to
     * record the outcome; false when the watchdog already counted it as failed.
     */
    public boolean answer(long ticket, long startNanos) {
        int index = (int) (ticket & mask);
        return slots.compareAndSet(index, encode(startNanos, false), ANSWERED)
                || slots.compareAndSet(index, encode(startNanos, true), ANSWERED);
    }

    private long encode(long startNanos, boolean blocking) {
        return ((startNanos - epoch) << 1) | (blocking ? 1L : 0L);
    }

    /** The watchdog's check: counts every send past its threshold as one failure. */
    @Override
    public void run() {
        long now = clock.nanoTime() - epoch;
        long limit = tickets.get();
        long c = Math.max(cursor, limit - capacity);
        boolean advancing = true;
        for (long t = c; t < limit; t++) {
            int index = (int) (t & mask);
            long v = slots.get(index);
            if (v == ANSWERED || v == EXPIRED || v == 0L) {
                if (advancing) {
                    c = t + 1;
                }
                continue;
            }
            long age = now - (v >>> 1);
            boolean blocking = (v & 1L) == 1L;
            if (age >= (blocking ? blockNanos : inFlightNanos)) {
                if (slots.compareAndSet(index, v, EXPIRED) && countExpired.getAsBoolean()) {
                    breaker.recordFailure(blocking
                            ? "send() blocked for " + millis(age) + " ms (" + blockThresholdName + "=" + blockNanos / 1_000_000 + ")"
                            : "no acknowledgement for " + millis(age) + " ms (" + inFlightThresholdName + "="
                                    + inFlightNanos / 1_000_000 + ")");
                }
                if (advancing) {
                    c = t + 1;
                }
                continue;
            }
            // Pending and within its threshold: the cursor stops here. Later sends began later, so once
            // one is younger than the shorter threshold, none after it can be past either.
            advancing = false;
            if (age < Math.min(blockNanos, inFlightNanos)) {
                break;
            }
        }
        cursor = c;
        breaker.checkTimeouts();
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    @Override
    public String toString() {
        return "SendTracker[" + breaker.name() + "]";
    }
}
