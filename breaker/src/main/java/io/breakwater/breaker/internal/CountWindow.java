package io.breakwater.breaker.internal;

/**
 * The last {@code size} outcomes, in a ring. Every change happens under this window's lock, slot and totals
 * together, so a totals read (one volatile read) always sees the window after some whole sequence of
 * records: the window is linearizable.
 *
 * <p>The steady state takes no lock and writes nothing: a plain success recorded while the window is full of
 * plain successes changes nothing, whichever success it replaces, so it returns after one volatile read.
 */
final class CountWindow implements OutcomeWindow {

    // The totals, packed: calls in bits 0-20, failures in 21-41, slow calls in 42-62 (each at most 2^20).
    private static final int FIELD_BITS = 21;
    private static final long FIELD_MASK = (1L << FIELD_BITS) - 1;
    private static final long CALL = 1L;
    private static final long FAILURE = 1L << FIELD_BITS;
    private static final long SLOW = 1L << (2 * FIELD_BITS);

    private final int size;
    // The totals when every slot holds a plain success.
    private final long fullOfSuccesses;
    // Each slot holds an Outcome, or 0 before it is first written. Guarded by `this`.
    private final int[] slots;
    // Records made so far; the slot of record n is n mod size. Guarded by `this`.
    private long recorded;
    // The packed totals; written only under `this`, read without a lock.
    private volatile long totals;

    CountWindow(int size) {
        this.size = size;
        this.slots = new int[size];
        this.fullOfSuccesses = CALL * size;
    }

    @Override
    public long record(int outcome, long nowNanos) {
        if (outcome == Outcome.SUCCESS && totals == fullOfSuccesses) {
            return 0; // nothing changed: no rule can newly hold
        }
        synchronized (this) {
            int slot = (int) (recorded++ % size);
            int replaced = slots[slot];
            slots[slot] = outcome;
            long packed = totals + weight(outcome) - (replaced == 0 ? -CALL : weight(replaced));
            totals = packed;
            return packed & FIELD_MASK;
        }
    }

    private static long weight(int outcome) {
        return (Outcome.isFailure(outcome) ? FAILURE : 0) + (Outcome.isSlow(outcome) ? SLOW : 0);
    }

    @Override
    public WindowTotals totals(long nowNanos) {
        long packed = totals;
        return new WindowTotals(packed & FIELD_MASK, (packed >>> FIELD_BITS) & FIELD_MASK,
                (packed >>> (2 * FIELD_BITS)) & FIELD_MASK);
    }

    @Override
    public String describe() {
        return "last " + size + " calls";
    }
}
