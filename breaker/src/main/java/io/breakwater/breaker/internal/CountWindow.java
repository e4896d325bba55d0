package io.breakwater.breaker.internal;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The last {@code size} outcomes, in a ring. Lock-free: a ticket picks the slot, the slot is swapped
 * atomically, and the failure and slow counts move by the difference between the new and the replaced
 * outcome. The counts always equal the sum of the slots once writers are done.
 *
 * <p>A success that replaces a success (the steady state) writes nothing: one atomic increment per call.
 */
final class CountWindow implements OutcomeWindow {

    private static final long FAILURE_UNIT = 1L;
    private static final long SLOW_UNIT = 1L << 32;

    private final int size;
    // Each slot holds an Outcome, or 0 before it is first written. Swapped with getAndSet.
    private final AtomicIntegerArray slots;
    // Tickets handed out so far; the slot of ticket t is t mod size.
    private final AtomicLong tickets = new AtomicLong();
    // Failures in the low 32 bits, slow calls in the high 32 bits, each signed: see decode.
    private final AtomicLong counts = new AtomicLong();

    CountWindow(int size) {
        this.size = size;
        this.slots = new AtomicIntegerArray(size);
    }

    @Override
    public long record(int outcome, long nowNanos) {
        long ticket = tickets.getAndIncrement();
        int slot = (int) (ticket % size);
        long held = Math.min(ticket + 1, size);
        if (slots.get(slot) == outcome) {
            return held;
        }
        int replaced = slots.getAndSet(slot, outcome);
        long delta = weight(outcome) - weight(replaced);
        if (delta != 0) {
            counts.addAndGet(delta);
        }
        return held;
    }

    private static long weight(int outcome) {
        if (outcome == 0) {
            return 0;
        }
        return (Outcome.isFailure(outcome) ? FAILURE_UNIT : 0) + (Outcome.isSlow(outcome) ? SLOW_UNIT : 0);
    }

    @Override
    public WindowTotals totals(long nowNanos) {
        long packed = counts.get();
        // A writer may be between its swap and its add, so a field can be briefly negative; the low
        // field is read as signed and its borrow given back to the high one.
        int failures = (int) packed;
        int slow = (int) ((packed - failures) >> 32);
        long calls = Math.min(tickets.get(), size);
        return new WindowTotals(calls, failures, slow);
    }

    @Override
    public String describe() {
        return "last " + size + " calls";
    }
}
