package io.breakwater.cli.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** What happened on one publishing path of the demo. */
final class PathStats {
    final String label;
    final AtomicLong published = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final LongAdder blockedNanos = new LongAdder();
    final AtomicLong longestBlockNanos = new AtomicLong();
    // When failures were reported (demo clock, nanos), to tell when a path learned of a fault.
    final Queue<Long> failureTimes = new ConcurrentLinkedQueue<>();
    // How long a publish took when a breaker refused it at once (nanos).
    final Queue<Long> fastFails = new ConcurrentLinkedQueue<>();

    PathStats(String label) {
        this.label = label;
    }

    void blocked(long nanos) {
        blockedNanos.add(nanos);
        longestBlockNanos.accumulateAndGet(nanos, Math::max);
    }

    void failedAt(long nanos) {
        failed.incrementAndGet();
        failureTimes.add(nanos);
    }

    long lost() {
        return published.get() - acked.get() - failed.get();
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

    /** The {@code q} quantile of the fast-fail latencies, in nanos, or -1 without any. */
    long fastFailQuantile(double q) {
        List<Long> sorted = new ArrayList<>(fastFails);
        if (sorted.isEmpty()) {
            return -1;
        }
        sorted.sort(null);
        int index = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(q * sorted.size()) - 1));
        return sorted.get(index);
    }
}
