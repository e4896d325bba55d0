package io.breakwater.breaker.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;

/**
 * Per-thread cells of counts that are written on every call and summed only when read. A thread's slot is its id
 * modulo {@link #SLOTS}, so the threads of a pool, whose ids run in sequence, each get a slot of their own. The
 * first thread to write a slot owns that slot's cell and is the only thread ever to write it, so it updates it
 * with ordinary stores, no atomic instruction and no contention. Ownership is the {@code Thread} object itself,
 * not its id ({@code getId()} may be overridden, so two threads may answer the same id), held weakly so that a
 * cell keeps no ended thread, nor its context class loader, reachable. A thread whose slot another thread owns writes
 * the slot's shared cell instead, with atomic operations. Readers sum every cell; nothing is allocated until a
 * thread first writes.
 *
 * <p>Cells are made only where writers contend, as {@code LongAdder} does: until two writers collide on a shared
 * cell (a compare-and-set that fails), the first {@value #FREE_OWNERS} writers own a cell each (the calling thread,
 * Kafka's I/O thread that answers its sends, the watchdog) and every later thread writes one shared cell. A breaker
 * that many pool threads call by turns, as most of a large fleet of quiet streams are, so keeps at most
 * {@value #FREE_OWNERS} + 1 cells, not one per thread; one whose writers do contend stripes as above from the first
 * collision on.
 *
 * <p>The first writer's cell is compact and needs no array of slots: most breakers of a large fleet are only ever
 * written by one thread (Kafka's I/O thread that answers their sends), and for them the counts are that one cell. Its
 * counters are not padded. A second writer makes the slots, with a padded cell for the first writer in its slot, into
 * which the first writer counts from its next call on: threads that share a breaker never write the compact cell's
 * cache lines (whatever the allocator put beside it) once they do. The compact cell keeps what it counted. A subclass
 * whose cells are large and padded anyway (a time window's ring of buckets) asks for no compact cell: its first cell
 * goes into its owner's slot when the slots are made, as any other.
 */
abstract class Stripes<C extends Stripes.Cell> {

    /** Slots: four per processor, as a power of two, from 8 to 64. */
    static final int SLOTS = Math.max(8, Math.min(64, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 8 - 1)));

    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(Cell[].class);
    private static final VarHandle FIRST;
    private static final VarHandle OWNED;
    private static final VarHandle SHARED;
    private static final VarHandle OWNERS;
    /** How many threads own a cell before any collision. */
    static final int FREE_OWNERS = 4;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FIRST = lookup.findVarHandle(Stripes.class, "first", Cell.class);
            OWNED = lookup.findVarHandle(Stripes.class, "owned", Cell[].class);
            SHARED = lookup.findVarHandle(Stripes.class, "shared", Cell[].class);
            OWNERS = lookup.findVarHandle(Stripes.class, "owners", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A cell: written by its owner thread only, or, when {@link #shared()}, by any thread with atomic operations. It is
     * its own weak reference to its owner, so that it keeps no ended thread (nor its context class loader) reachable,
     * and costs no object more.
     */
    abstract static class Cell extends WeakReference<Thread> {
        // The owner's slot, or -1 for a shared cell. Final: safe to read unsynchronized. The owner (the referent) is not
        // final, but the one thread that must see it is the owner itself, which set it; any other may see it unset,
        // which answers "not mine" just as well.
        private final int slot;

        Cell(Thread owner, int slot) {
            super(owner);
            this.slot = owner == null ? -1 : slot;
        }

        /** Whether {@code thread} owns this cell, and so is the only thread ever to write it. */
        final boolean ownedBy(Thread thread) {
            return get() == thread;
        }

        /** Whether several threads may write this cell (atomically), rather than its owner alone. */
        final boolean shared() {
            return slot < 0;
        }
    }

    // The first writer's cell, until a second writer makes the owned cells (with a padded one for that writer). Set once.
    private volatile Cell first;
    // The owned cells and the shared cells, by slot. Each array is set once, by compare-and-set, on first use;
    // each element is set once, by compare-and-set, and never replaced.
    private volatile Cell[] owned;
    private volatile Cell[] shared;
    // How many threads took a turn at owning a cell before any collision; whether writers have collided (then every
    // thread may own one).
    private volatile int owners;
    private volatile boolean striped;
    // Whether the first writer's cell is compact (then replaced by a padded one in its slot), or an ordinary one.
    private final boolean compactFirst;

    Stripes(boolean compactFirst) {
        this.compactFirst = compactFirst;
    }

    /**
     * A new cell owned by thread {@code owner} in {@code slot}, or a shared one when {@code owner} is null; {@code
     * compact} for the first writer's cell, whose values need no padding (when this asked for a compact first cell).
     */
    abstract C newCell(Thread owner, int slot, boolean compact);

    /** The current thread's cell: the one it owns, or its slot's shared one. */
    @SuppressWarnings("unchecked")
    final C cell() {
        Thread current = Thread.currentThread();
        int slot = (int) current.getId() & (SLOTS - 1);
        // Plain reads: only the owner itself takes the fast way, and it sees the cell it made.
        Cell[] cells = owned;
        Cell c = cells != null ? cells[slot] : first;
        if (c != null && c.ownedBy(current)) {
            return (C) c;
        }
        return slowCell(current, slot);
    }

    @SuppressWarnings("unchecked")
    private C slowCell(Thread current, int slot) {
        boolean free = striped || takeOwnersTurn();
        Cell c = free ? claimOwned(slot, current) : null;
        if (c != null && c.ownedBy(current)) {
            return (C) c;
        }
        // No collision yet: one shared cell for all the threads beyond the first few; then the slot's shared cell.
        return (C) claim(array(SHARED, null), striped ? slot : 0, null);
    }

    /** The owned cell of {@code slot}: the first cell if none is yet, else the slot's, made for {@code owner} if free. */
    private Cell claimOwned(int slot, Thread owner) {
        Cell[] cells = owned;
        if (cells == null) {
            Cell f = (Cell) FIRST.getAcquire(this);
            if (f == null) {
                Cell fresh = newCell(owner, slot, true);
                if (FIRST.compareAndSet(this, null, fresh)) {
                    return fresh;
                }
                f = (Cell) FIRST.getAcquire(this);
            }
            // A second writer: the owned cells, with the first writer's slot taken for it.
            cells = array(OWNED, f);
        }
        return claim(cells, slot, owner);
    }

    /** Whether the current thread may own a cell before any collision: one of the first {@link #FREE_OWNERS}. */
    private boolean takeOwnersTurn() {
        for (int n = owners; n < FREE_OWNERS; n = owners) {
            if (OWNERS.compareAndSet(this, n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Writers collided on a shared cell: from now on each thread takes its slot's cell. */
    final void contended() {
        if (!striped) {
            striped = true;
        }
    }

    /** Whether writers have collided, so that threads take cells of their own. */
    final boolean striped() {
        return striped;
    }

    /**
     * Adds {@code n} to element {@code i} of a shared cell's {@code values}; true when another writer got in between
     * (then the add is done all the same, and the caller reports {@link #contended()}).
     */
    static boolean addShared(VarHandle longs, long[] values, int i, long n) {
        long v = (long) longs.getVolatile(values, i);
        if (longs.compareAndSet(values, i, v, v + n)) {
            return false;
        }
        longs.getAndAdd(values, i, n);
        return true;
    }

    /**
     * The array in {@code field}, made if missing; a new owned array has {@code first}'s owner's slot taken: by a padded
     * cell for it, or by {@code first} itself when it is not compact.
     */
    private Cell[] array(VarHandle field, Cell first) {
        Cell[] cells = (Cell[]) field.getVolatile(this);
        if (cells == null) {
            Cell[] fresh = new Cell[SLOTS];
            Thread firstOwner = first == null ? null : first.get();
            if (first != null && !compactFirst) {
                fresh[first.slot] = first;
            } else if (firstOwner != null) {
                fresh[first.slot] = newCell(firstOwner, first.slot, false);
            }
            cells = field.compareAndSet(this, null, fresh) ? fresh : (Cell[]) field.getVolatile(this);
        }
        return cells;
    }

    /** The cell in {@code slot}, made for {@code owner} if the slot is still free. */
    private Cell claim(Cell[] cells, int slot, Thread owner) {
        Cell c = (Cell) CELLS.getAcquire(cells, slot);
        if (c == null) {
            Cell fresh = newCell(owner, slot, false);
            c = CELLS.compareAndSet(cells, slot, null, fresh) ? fresh : (Cell) CELLS.getAcquire(cells, slot);
        }
        return c;
    }

    /** How many cells {@link #cellAt} may return: the owned ones, the shared ones, then the first writer's compact one. */
    static int cellCount() {
        return 2 * SLOTS + 1;
    }

    /** Cell {@code i} of {@link #cellCount()}, or null when no thread has made it yet. */
    @SuppressWarnings("unchecked")
    final C cellAt(int i) {
        if (i == 2 * SLOTS) {
            return compactFirst ? (C) FIRST.getAcquire(this) : null;
        }
        Cell[] cells = i < SLOTS ? owned : shared;
        if (cells == null && i < SLOTS && !compactFirst) { // an ordinary first cell is in its slot, array or not
            Cell f = (Cell) FIRST.getAcquire(this);
            return f != null && f.slot == i ? (C) f : null;
        }
        return cells == null ? null : (C) CELLS.getAcquire(cells, i & (SLOTS - 1));
    }
}
