package io.breakwater.breaker.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The outcomes of the last {@code seconds} seconds, in one bucket per second. Lock-free: the bucket of
 * a new second replaces the stale one by compare-and-set (one allocation per bucket per second, none per
 * call); a call adds to its bucket's counters.
 */
final class TimeWindow implements OutcomeWindow {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int seconds;
    private final AtomicReferenceArray<Bucket> buckets;

    TimeWindow(int seconds) {
        this.seconds = seconds;
        this.buckets = new AtomicReferenceArray<>(seconds);
    }

    @Override
    public long record(int outcome, long nowNanos) {
        long second = Math.floorDiv(nowNanos, NANOS_PER_SECOND);
        bucket(second).add(outcome);
        return -1;
    }

    private Bucket bucket(long second) {
        int index = (int) Math.floorMod(second, (long) seconds);
        for (;;) {
            Bucket current = buckets.get(index);
            if (current != null && current.second == second) {
                return current;
            }
            if (current != null && current.second > second) {
                // A writer that read the clock before a slower peer: count it in the newer bucket.
                return current;
            }
            Bucket fresh = new Bucket(second);
            if (buckets.compareAndSet(index, current, fresh)) {
                return fresh;
            }
        }
    }

    @Override
    public WindowTotals totals(long nowNanos) {
        long second = Math.floorDiv(nowNanos, NANOS_PER_SECOND);
        long calls = 0;
        long failures = 0;
        long slow = 0;
        for (int i = 0; i < seconds; i++) {
            Bucket b = buckets.get(i);
            if (b != null && b.second > second - seconds && b.second <= second) {
                // Read failures and slow first: a writer adds the call first, so calls >= failures here.
                long fs = b.failuresAndSlow.get();
                calls += b.calls.get();
                failures += fs & 0xFFFF_FFFFL;
                slow += fs >>> 32;
            }
        }
        return new WindowTotals(calls, failures, slow);
    }

    @Override
    public String describe() {
        return "last " + seconds + " s";
    }

    private static final class Bucket {
        final long second;
        final AtomicLong calls = new AtomicLong();
        // Failures in the low 32 bits, slow calls in the high 32 bits; both only grow.
        final AtomicLong failuresAndSlow = new AtomicLong();

        Bucket(long second) {
            this.second = second;
        }

        void add(int outcome) {
            calls.incrementAndGet();
            long delta = (Outcome.isFailure(outcome) ? 1L : 0L) + (Outcome.isSlow(outcome) ? 1L << 32 : 0L);
            if (delta != 0) {
                failuresAndSlow.addAndGet(delta);
            }
        }
    }
}
