package io.breakwater.breaker.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Per-thread cells of counts that are written on every call and summed only when read. A thread's slot is its id
 * modulo {@link #SLOTS}, so the threads of a pool, whose ids run in sequence, each get a slot of their own. The
 * first thread to write a slot owns that slot's cell and is the only thread ever to write it, so it updates it
 * with ordinary stores, no atomic instruction and no contention. A thread whose slot another thread owns writes
 * the slot's shared cell instead, with atomic operations. Readers sum every cell; nothing is allocated until a
 * thread first writes.
 */
abstract class Stripes<C extends Stripes.Cell> {

    /** Slots: four per processor, as a power of two, from 8 to 64. */
    static final int SLOTS = Math.max(8, Math.min(64, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 8 - 1)));

    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(Cell[].class);
    private static final VarHandle OWNED;
    private static final VarHandle SHARED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            OWNED = lookup.findVarHandle(Stripes.class, "owned", Cell[].class);
            SHARED = lookup.findVarHandle(Stripes.class, "shared", Cell[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A cell: written by its owner thread only, or, when {@link #shared()}, by any thread with atomic operations. */
    abstract static class Cell {
        private static final long SHARED_CELL = -1L;

        /** The id of the thread that owns this cell, or -1 for a shared cell. Final: it is safe to read unsynchronized. */
        final long owner;

        Cell(long owner) {
            this.owner = owner;
        }

        /** Whether several threads may write this cell (atomically), rather than its owner alone. */
        final boolean shared() {
            return owner == SHARED_CELL;
        }
    }

    // The owned cells and the shared cells, by slot. Each array is set once, by compare-and-set, on first use;
    // each element is set once, by compare-and-set, and never replaced.
    private volatile Cell[] owned;
    private volatile Cell[] shared;

    /** A new cell owned by thread {@code owner}, or a shared one when {@code owner} is -1. */
    abstract C newCell(long owner);

    /** The current thread's cell: the one it owns, or its slot's shared one. */
    @SuppressWarnings("unchecked")
    final C cell() {
        long id = Thread.currentThread().getId();
        Cell[] cells = owned;
        if (cells != null) {
            // A plain read: a cell seen at all is seen with its final owner, and only the owner itself takes the fast way.
            Cell c = cells[(int) id & (SLOTS - 1)];
            if (c != null && c.owner == id) {
                return (C) c;
            }
        }
        return slowCell(id);
    }

    @SuppressWarnings("unchecked")
    private C slowCell(long id) {
        int slot = (int) id & (SLOTS - 1);
        Cell c = claim(array(OWNED), slot, id);
        if (c.owner == id) {
            return (C) c;
        }
        return (C) claim(array(SHARED), slot, Cell.SHARED_CELL);
    }

    private Cell[] array(VarHandle field) {
        Cell[] cells = (Cell[]) field.getVolatile(this);
        if (cells == null) {
            Cell[] fresh = new Cell[SLOTS];
            cells = field.compareAndSet(this, null, fresh) ? fresh : (Cell[]) field.getVolatile(this);
        }
        return cells;
    }

    /** The cell in {@code slot}, made for {@code owner} if the slot is still free. */
    private Cell claim(Cell[] cells, int slot, long owner) {
        Cell c = (Cell) CELLS.getAcquire(cells, slot);
        if (c == null) {
            Cell fresh = newCell(owner);
            c = CELLS.compareAndSet(cells, slot, null, fresh) ? fresh : (Cell) CELLS.getAcquire(cells, slot);
        }
        return c;
    }

    /** How many cells {@link #cellAt} may return: the owned ones, then the shared ones. */
    static int cellCount() {
        return 2 * SLOTS;
    }

    /** Cell {@code i} of {@link #cellCount()}, or null when no thread has made it yet. */
    @SuppressWarnings("unchecked")
    final C cellAt(int i) {
        Cell[] cells = i < SLOTS ? owned : shared;
        return cells == null ? null : (C) CELLS.getAcquire(cells, i & (SLOTS - 1));
    }
}
