package io.breakwater.breaker.watch;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What a {@link CallTracker} is told: its clock, its two thresholds, how many calls it may hold, whether its owner
 * marks every answer, and whether its calls wait in line (see {@link CallTracker}). Immutable; one instance may serve any number of trackers, as an
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
    final boolean inLine;

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
        this(nanoClock, blockThreshold, answerThreshold, capacity, everyAnswerMarked, firstSlots, false);
    }

    private TrackerLimits(LongSupplier nanoClock, Duration blockThreshold, Duration answerThreshold, int capacity,
                          boolean everyAnswerMarked, int firstSlots, boolean inLine) {
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
        this.inLine = inLine;
    }

    /**
     * These limits for calls that wait in line, each behind the calls begun before it, as a producer's records wait in
     * its buffer: a call is late only once it has waited its threshold since it began and since a call begun before it
     * last succeeded (as the watchdog's checks see it: to the check after; the owner tells the tracker which call
     * succeeded, {@link CallTracker#succeeded(TrackedCall, long)}; a move while the call is younger than half the
     * smaller threshold may go unseen, so a call may be found late up to that much early). A line that moves is a
     * backlog, not a failure: behind a cluster that acknowledges as fast as it can, but slower than records come, every
     * record waits longer than the threshold, yet the cluster answers. A call with no call before it answered since it
     * began (one caller waiting on each answer, a cluster that stopped) is timed from its start, as without a line.
     */
    public TrackerLimits inLine() {
        return inLine ? this : new TrackerLimits(clock, Duration.ofNanos(blockNanos), Duration.ofNanos(answerNanos), capacity,
                everyAnswerMarked, firstSlots, true);
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
