package io.breakwater.breaker.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The outcomes of the last {@code seconds} seconds, in one bucket per second, kept per thread once callers contend
 * ({@link Stripes}): a thread counts into a ring of buckets of its own with plain stores, so concurrent callers never
 * write the same cache line; a read sums every thread's buckets of the last {@code seconds} seconds. A thread's
 * bucket of a new second replaces its bucket of that slot's old second (one small allocation per thread per second,
 * none per call).
 *
 * <p>{@link #record} says when a plain success needs no check of the rules: once a read has found the window
 * holding at least {@code minimumCalls} calls in some second, the calls only grow until that second ends (outcomes
 * leave the window only as the second changes), so within that second a plain success lowers both rates and can
 * make no rule newly hold. The first record of each thread in a new second, and every record before such a read,
 * asks for the check.
 */
final class TimeWindow extends Stripes<TimeWindow.Ring> implements OutcomeWindow {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    // A bucket is a long[]: its second, its calls, failures and slow calls, with longs around them so that no other
    // object shares their cache lines.
    private static final int PAD = 8;
    private static final int SECOND = PAD;
    private static final int CALLS = PAD + 1;
    private static final int FAILURES = PAD + 2;
    private static final int SLOW = PAD + 3;
    private static final int BUCKET_LENGTH = SLOW + 1 + PAD;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle BUCKETS = MethodHandles.arrayElementVarHandle(long[][].class);

    private final int seconds;
    private final long minimumCalls;
    // The latest second in which a read found at least minimumCalls calls in the window; only grows.
    private volatile long settledSecond = Long.MIN_VALUE;

    TimeWindow(int seconds, int minimumCalls) {
        super(false);
        this.seconds = seconds;
        this.minimumCalls = minimumCalls;
    }

    /** Returns -1 (check the rules) or 0 (a plain success needs no check): see the class comment. */
    @Override
    public long record(int outcome, long nowNanos) {
        Ring ring = cell();
        long[] b = ring.current;
        if (b == null || nowNanos - b[SECOND] * NANOS_PER_SECOND >= NANOS_PER_SECOND) {
            if (ring.add(ring.roll(Math.floorDiv(nowNanos, NANOS_PER_SECOND), seconds), outcome)) {
                contended();
            }
            return -1;
        }
        // Now falls in b's second, or before it (a writer that read the clock before a peer rolled): b counts it.
        if (ring.add(b, outcome)) {
            contended();
        }
        return b[SECOND] == settledSecond ? 0 : -1;
    }

    @Override
    public WindowTotals totals(long nowNanos) {
        long second = Math.floorDiv(nowNanos, NANOS_PER_SECOND);
        long calls = 0;
        long failures = 0;
        long slow = 0;
        for (int i = 0; i < cellCount(); i++) {
            Ring ring = cellAt(i);
            if (ring == null) {
                continue;
            }
            for (int j = 0; j < seconds; j++) {
                long[] b = (long[]) BUCKETS.getAcquire(ring.buckets, j);
                if (b != null && b[SECOND] > second - seconds && b[SECOND] <= second) {
                    // Failures and slow calls first: a writer adds the call first, so calls >= failures here.
                    failures += (long) LONGS.getAcquire(b, FAILURES);
                    slow += (long) LONGS.getAcquire(b, SLOW);
                    calls += (long) LONGS.getAcquire(b, CALLS);
                }
            }
        }
        if (calls >= minimumCalls && second > settledSecond) {
            settledSecond = second;
        }
        return new WindowTotals(calls, failures, slow);
    }

    @Override
    public String describe() {
        return "last " + seconds + " s";
    }

    @Override
    Ring newCell(Thread owner, int slot, boolean compact) {
        return new Ring(owner, slot, seconds);
    }

    /** One thread's buckets (or, when shared, those of the threads whose slot another owns). */
    static final class Ring extends Stripes.Cell {
        // The bucket of second s sits at s mod seconds until a newer second replaces it (compare-and-set).
        final long[][] buckets;
        // The bucket counted into last: the owner's newest; in a shared ring, a hint that record() checks.
        volatile long[] current;

        Ring(Thread owner, int slot, int seconds) {
            super(owner, slot);
            this.buckets = new long[seconds][];
        }

        /** The bucket of {@code second}, made if its slot holds an older one; a newer one if a peer got there first. */
        long[] roll(long second, int seconds) {
            int index = (int) Math.floorMod(second, (long) seconds);
            for (;;) {
                long[] b = (long[]) BUCKETS.getAcquire(buckets, index);
                if (b == null || b[SECOND] < second) {
                    long[] fresh = new long[BUCKET_LENGTH];
                    fresh[SECOND] = second;
                    if (!BUCKETS.compareAndSet(buckets, index, b, fresh)) {
                        continue;
                    }
                    b = fresh;
                }
                long[] c = current;
                if (c == null || c[SECOND] < b[SECOND]) {
                    current = b;
                }
                return b;
            }
        }

        /**
         * Counts {@code outcome} in {@code b}: the call first, then its failure and slowness. True when, in a shared
         * ring, another writer collided with this one.
         */
        boolean add(long[] b, int outcome) {
            boolean failure = Outcome.isFailure(outcome);
            boolean slow = Outcome.isSlow(outcome);
            boolean contended = false;
            if (shared()) {
                contended = addShared(LONGS, b, CALLS, 1L);
                if (failure) {
                    LONGS.getAndAdd(b, FAILURES, 1L);
                }
                if (slow) {
                    LONGS.getAndAdd(b, SLOW, 1L);
                }
            } else {
                LONGS.setRelease(b, CALLS, b[CALLS] + 1);
                if (failure) {
                    LONGS.setRelease(b, FAILURES, b[FAILURES] + 1);
                }
                if (slow) {
                    LONGS.setRelease(b, SLOW, b[SLOW] + 1);
                }
            }
            if (failure || slow) {
                // The caller reads the totals next. Release stores then acquire reads of other cells may pass each
                // other (store buffering): two threads recording the failures that cross a threshold could each miss
                // the other's and neither open the breaker. The fence orders this record before that read.
                VarHandle.fullFence();
            }
            return contended;
        }
    }
}
