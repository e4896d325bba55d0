package io.breakwater.breaker.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Lifetime call counts of one breaker, for snapshots and metrics. Striped by thread ({@link Stripes}): a thread
 * adds to a cell of its own with plain stores, so counting takes no lock, no atomic instruction and no shared cache
 * line; a read sums the cells.
 */
public final class CallCounters extends Stripes<CallCounters.Counts> {

    public static final int SUCCESSFUL = 0;
    public static final int FAILED = 1;
    public static final int SLOW = 2;
    public static final int REJECTED = 3;
    public static final int IGNORED = 4;
    /** Total time of the successful calls whose duration was reported. */
    public static final int SUCCESSFUL_NANOS = 5;
    /** Total time of the failed calls whose duration was reported. */
    public static final int FAILED_NANOS = 6;

    private static final int COUNTERS = 7;
    // Longs before and after the counters, so that no other object's fields share their cache lines.
    private static final int PAD = 8;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    public CallCounters() {
        super(true);
    }

    /** Adds {@code n} to {@code counter} (one of the constants above). */
    public void add(int counter, long n) {
        if (cell().add(counter, n)) {
            contended();
        }
    }

    /** Adds one to {@code counter}. */
    public void increment(int counter) {
        add(counter, 1L);
    }

    /** The sum of {@code counter} over every thread's cell. */
    public long sum(int counter) {
        long sum = 0;
        for (int i = 0; i < cellCount(); i++) {
            Counts c = cellAt(i);
            if (c != null) {
                sum += (long) LONGS.getAcquire(c.values, Counts.base(c.values) + counter);
            }
        }
        return sum;
    }

    @Override
    Counts newCell(Thread owner, int slot, boolean compact) {
        return new Counts(owner, slot, compact);
    }

    static final class Counts extends Stripes.Cell {
        // Written by the owner alone (plain read, release store), or atomically when shared. Padded, except in the
        // first writer's compact cell: the counters start at base(values).
        final long[] values;

        Counts(Thread owner, int slot, boolean compact) {
            super(owner, slot);
            this.values = new long[compact ? COUNTERS : PAD + COUNTERS + PAD];
        }

        /** Where the counters start in {@code values}: after the padding, if any. */
        static int base(long[] values) {
            return values.length == COUNTERS ? 0 : PAD;
        }

        /** Adds {@code n}; true when, in a shared cell, another writer collided with this one. */
        boolean add(int counter, long n) {
            int i = base(values) + counter;
            if (shared()) {
                return addShared(LONGS, values, i, n);
            }
            LONGS.setRelease(values, i, values[i] + n);
            return false;
        }
    }
}
