package io.breakwater.cli.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;

/** What happened on one publishing path of the demo. */
final class PathStats {
    final String label;
    final AtomicLong published = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    // Publishes whose future completed as spilled (durable in the EventBus's spill), and of those, how many the
    // spill replayed to the topic by the end (-1: the path has no spill).
    final AtomicLong spilled = new AtomicLong();
    volatile long replayed = -1;
    // Of the publishes acknowledged or spilled, how many are not on the topic at the end; -1: not checked.
    volatile long missingOnTopic = -1;
    final LongAdder blockedNanos = new LongAdder();
    final AtomicLong longestBlockNanos = new AtomicLong();
    // Time spent inside each publish or send call (not waiting on its future), in nanos; 3 significant digits.
    final ConcurrentHistogram callNanos = new ConcurrentHistogram(3);
    // When failures were reported (demo clock, nanos), to tell when a path learned of a fault.
    final Queue<Long> failureTimes = new ConcurrentLinkedQueue<>();

    PathStats(String label) {
        this.label = label;
    }

    void blocked(long nanos) {
        blockedNanos.add(nanos);
        longestBlockNanos.accumulateAndGet(nanos, Math::max);
        callNanos.recordValue(Math.max(0, nanos));
    }

    /** The {@code q} quantile (0..1) of the call times, in nanos, or -1 without any call. */
    long callQuantile(double q) {
        return callNanos.getTotalCount() == 0 ? -1 : callNanos.getValueAtPercentile(q * 100);
    }

    void failedAt(long nanos) {
        failed.incrementAndGet();
        failureTimes.add(nanos);
    }

    /**
     * Publishes with no outcome the caller could rely on: never answered, or spilled and not replayed by the end
     * (the demo deletes its spill when it ends, so those are gone).
     */
    long lost() {
        long stranded = replayed < 0 ? 0 : Math.max(0, spilled.get() - replayed);
        return unanswered() + stranded;
    }

    /** Publishes not answered yet (their future still open). */
    long unanswered() {
        return published.get() - acked.get() - failed.get() - spilled.get();
    }

    /** The first failure reported at or after {@code sinceNanos}, or -1. */
    long firstFailureAfter(long sinceNanos) {
        long first = -1;
        for (long t : failureTimes) {
            if (t >= sinceNanos && (first < 0 || t < first)) {
                first = t;
            }
        }
        return first;
    }
}
