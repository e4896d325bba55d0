package io.breakwater.breaker.watch;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What a {@link CallTracker} is told: its clock, its two thresholds, how many calls it may hold, and whether its owner
 * marks every answer (see {@link CallTracker}). Immutable; one instance may serve any number of trackers, as an
 * EventBus's does for all its streams, so that each tracker holds a reference to it rather than a copy.
 */
public final class TrackerLimits {

    final LongSupplier clock;
    final long blockNanos;
    final long answerNanos;
    // A pending call younger than this ends a check's walk (half the smaller threshold; see CallTracker).
    final long youngNanos;
    final int capacity;
    final int firstSlots;
    final boolean everyAnswerMarked;

    /**
     * Calls timed on {@code nanoClock} that expire when blocked longer than {@code blockThreshold} or unanswered longer
     * than {@code answerThreshold}; at most {@code capacity} of them (a power of two) in flight.
     */
    public TrackerLimits(LongSupplier nanoClock, Duration blockThreshold, Duration answerThreshold, int capacity,
                         boolean everyAnswerMarked) {
        this(nanoClock, blockThreshold, answerThreshold, capacity, everyAnswerMarked, CallRing.FIRST_SLOTS);
    }

    /** With a first ring of {@code firstSlots} (a power of 2), for tests of its growth. */
    TrackerLimits(LongSupplier nanoClock, Duration blockThreshold, Duration answerThreshold, int capacity,
                  boolean everyAnswerMarked, int firstSlots) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of 2, but was " + capacity);
        }
        this.clock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.blockNanos = positive("blockThreshold", blockThreshold);
        this.answerNanos = positive("answerThreshold", answerThreshold);
        this.youngNanos = Math.min(blockNanos, answerNanos) / 2;
        this.capacity = capacity;
        this.firstSlots = Math.min(capacity, firstSlots);
        this.everyAnswerMarked = everyAnswerMarked;
    }

    private static long positive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be > 0, but was " + d);
        }
        return d.toNanos();
    }

    /** The answer threshold, in nanoseconds. */
    public long answerNanos() {
        return answerNanos;
    }
}
