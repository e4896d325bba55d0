package io.breakwater.eventbus.internal;

/**
 * The orders of a stream's events not settled yet, for a stream with a spill: orders are admitted one after another
 * ({@link #admit()} gives the next), settled in any order, and the replay asks for the lowest unsettled one. A ring
 * of bits over the orders from the lowest possibly unsettled one to the last admitted: a bit per event in flight,
 * nothing boxed, O(1) to admit and to settle. It grows when more events are in flight than it spans. Not thread-safe:
 * the stream's lock guards it.
 */
final class UnsettledOrders {

    private long[] bits = new long[2];
    // Every order below base is settled; base <= next.
    private long base;
    // The order the next admit() gives.
    private long next;
    private int count;

    UnsettledOrders(long first) {
        this.base = first;
        this.next = first;
    }

    /** Before any order is admitted: the next one admitted will be above {@code order} (if it is not already). */
    void startAbove(long order) {
        if (count != 0) {
            throw new IllegalStateException("orders were admitted already");
        }
        if (order >= next) {
            next = order + 1;
            base = next;
        }
    }

    /** Admits the next order and returns it, unsettled. */
    long admit() {
        long order = next;
        if (order - base >= (long) bits.length << 6) {
            base = lowest();
            if (order - base >= (long) bits.length << 6) {
                grow(order - base + 1);
            }
        }
        bits[index(order)] |= 1L << order;
        next = order + 1;
        count++;
        return order;
    }

    /** Settles {@code order}; an order not admitted, or settled already, is ignored. */
    void settle(long order) {
        if (order < base || order >= next) {
            return;
        }
        int i = index(order);
        long mask = 1L << order;
        if ((bits[i] & mask) != 0) {
            bits[i] &= ~mask;
            count--;
        }
    }

    /** The lowest unsettled order, or the next order to be admitted when none is unsettled. */
    long lowest() {
        if (count == 0) {
            base = next;
            return next;
        }
        for (;;) {   // a word at a time: one event left unsettled for long may have millions settled behind it
            long above = bits[index(base)] >>> (base & 63);
            if (above != 0) {
                base += Long.numberOfTrailingZeros(above);
                return base;
            }
            base = (base | 63) + 1;
        }
    }

    boolean isEmpty() {
        return count == 0;
    }

    private int index(long order) {
        return (int) (order >>> 6) & (bits.length - 1);
    }

    /** Makes room for {@code span} orders from base on, keeping the unsettled ones. */
    private void grow(long span) {
        int words = bits.length;
        while ((long) words << 6 < span + 64) {
            words <<= 1;
        }
        long[] old = bits;
        int oldMask = old.length - 1;
        bits = new long[words];
        for (long o = base; o < next; o++) {
            if ((old[(int) (o >>> 6) & oldMask] & (1L << o)) != 0) {
                bits[index(o)] |= 1L << o;
            }
        }
    }
}
