package io.breakwater.breaker.watch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The calls a {@link CallTracker} watches, by ticket.
 *
 * <p>Calls live in a ring that the first call makes with {@value #FIRST_SLOTS} slots (a bus may have 100,000 streams,
 * each with a tracker; a stream that has published and gone idle holds a small ring, not {@code capacity} slots). A
 * call still pending after as many newer calls began as the ring has slots is forgotten (never expired). A check that
 * finds more calls in flight than half the ring holds grows it, to hold at least four times as many, up to
 * {@code capacity} slots: a burst of more calls than the ring holds within one tick forgets its oldest until the next
 * tick. The ring never shrinks. A settled call leaves its slot once the check's cursor passed it, so an idle tracker holds
 * no call (nor what a call holds: a record, an event). Per call: a ticket, a read and a compare-and-set of its slot (the
 * call it replaces there is not read, unless the ring was lapped meanwhile).
 *
 * <p>A call's ticket is taken after the ring is read, so whoever sees the ticket sees a ring. A call writes its slot
 * by compare-and-set, never over a newer ticket's call; when a check has grown the ring meanwhile, it writes the new ring
 * too, since the copy may have read its slot before.
 */
abstract class CallRing {

    /** The slots of a new ring (or {@code capacity}, when smaller). */
    static final int FIRST_SLOTS = 8;

    private static final VarHandle TICKETS;
    private static final VarHandle LINE_MIN;
    // A slot of a ring: read and compare-and-set as volatile, as an AtomicReferenceArray does, without that object
    // between the tracker and its array (one cache miss less per call, on the thread that begins it and at each check).
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(TrackedCall[].class);

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TICKETS = lookup.findVarHandle(CallRing.class, "tickets", long.class);
            LINE_MIN = lookup.findVarHandle(CallRing.class, "lineMin", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // The tracker's limits (of the ring: capacity and first slots).
    final TrackerLimits limits;
    // The ring: made by the first call (an idle tracker holds none: a bus may have 100,000 idle streams); replaced by a
    // larger one by the watchdog's check (see slotsFor). A length of a power of two.
    private volatile TrackedCall[] slots;
    // The next ticket; a field of its own rather than an AtomicLong: one object and one cache miss less per tracker.
    private volatile long tickets;
    // The calls of tickets below it were forgotten (see grow). Raised by grow(), on the watchdog thread, which alone
    // reads it.
    private long floor;
    // For calls in line: the lowest ticket of a call that succeeded since the last check (Long.MAX_VALUE: none). Lowered
    // by answers, only when lower (in a line that keeps its order, once a check); taken and reset by each check.
    private volatile long lineMin = Long.MAX_VALUE;

    CallRing(TrackerLimits limits) {
        this.limits = limits;
    }

    /** The call of {@code ticket} succeeded: the line of every call with a higher ticket moved. */
    final void lineMoved(long ticket) {
        long min;
        while (ticket < (min = lineMin) && !LINE_MIN.compareAndSet(this, min, ticket)) {
            Thread.onSpinWait();
        }
    }

    /** The watchdog's: the lowest ticket that succeeded since it last took it (Long.MAX_VALUE: none), reset. */
    final long takeLineMin() {
        return (long) LINE_MIN.getAndSet(this, Long.MAX_VALUE);
    }

    /** The slot of {@code ticket} in {@code ring}. */
    static int index(TrackedCall[] ring, long ticket) {
        return (int) (ticket & (ring.length - 1));
    }

    /** The call in the slot of {@code ticket}: of that ticket, an older one (not written yet), or a newer lap. */
    static TrackedCall at(TrackedCall[] ring, long ticket) {
        return (TrackedCall) SLOT.getVolatile(ring, index(ring, ticket));
    }

    /** {@code call}, settled and passed by the walk, leaves its slot (unless a newer call took it). */
    static void release(TrackedCall[] ring, long ticket, TrackedCall call) {
        SLOT.compareAndSet(ring, index(ring, ticket), call, null);
    }

    /** The watchdog's: the calls of tickets below this one were forgotten. */
    final long floor() {
        return floor;
    }

    /** Gives {@code call} its ticket and its slot. */
    final void add(TrackedCall call) {
        TrackedCall[] ring = ring(); // made before the ticket: whoever sees the ticket sees the ring
        long t = (long) TICKETS.getAndAdd(this, 1L);
        call.ticket = t;
        for (;;) {
            int i = index(ring, t);
            TrackedCall there = (TrackedCall) SLOT.getVolatile(ring, i);
            if (there == call) {
                return; // copied in by a growth already
            }
            // A newer lap's call can hold the slot only once a ticket a lap above this one was issued (read after the
            // slot, so before its write): only then is the call there read, which after a burst is long out of any cache.
            if (there != null && tickets - t > ring.length && there.ticket > t) {
                return; // a newer lap holds the slot, and this call is forgotten
            }
            if (SLOT.compareAndSet(ring, i, there, call)) {
                TrackedCall[] now = slots;
                if (now == ring) {
                    return;
                }
                ring = now; // grown since this ring was read: its copy may have been made before the write above
            }
        }
    }

    /** How many tickets were taken. */
    final long issued() {
        return tickets;
    }

    /**
     * The watchdog's: the ring, grown first when {@code inFlight} (of {@code issued} tickets) is more than half of it,
     * to hold at least four times as many, up to capacity; null before the first call.
     */
    final TrackedCall[] slotsFor(long inFlight, long issued) {
        TrackedCall[] ring = slots;
        int capacity = limits.capacity;
        if (ring != null && ring.length < capacity && inFlight > ring.length / 2) {
            long wanted = Long.highestOneBit(Math.max(1, inFlight)) << 3;
            ring = grow(ring, (int) Math.min(capacity, Math.max(ring.length * 4L, wanted)), issued);
        }
        return ring;
    }

    /**
     * Replaces {@code old} with a ring of {@code length} slots, then copies the old ring in (the walk, on this thread
     * too, sees the new ring only once it is filled). Its floor: calls below {@code issued - old.length} were
     * overwritten in the old ring (or are about to be), so forgotten. A call that writes the old ring after the copy
     * read its slot finds the new ring when it looks again, and writes it too.
     */
    private TrackedCall[] grow(TrackedCall[] old, int length, long issued) {
        TrackedCall[] next = new TrackedCall[length];
        floor = Math.max(0, issued - old.length);
        slots = next;
        copy(old, next, floor);
        // A call that began meanwhile may have taken, in the old ring, the slot of one at or above the floor before the
        // copy read it: that one is forgotten (as many newer calls began as the old ring has slots), so the floor
        // rises past it, or the walk would wait for it at that ticket for ever.
        floor = Math.max(floor, tickets - old.length);
        return next;
    }

    private static void copy(TrackedCall[] from, TrackedCall[] to, long floor) {
        for (int i = 0; i < from.length; i++) {
            TrackedCall call = (TrackedCall) SLOT.getVolatile(from, i);
            if (call == null || call.ticket < floor) {
                continue;
            }
            int j = index(to, call.ticket);
            for (;;) {
                TrackedCall there = (TrackedCall) SLOT.getVolatile(to, j);
                if ((there != null && there.ticket >= call.ticket) || SLOT.compareAndSet(to, j, there, call)) {
                    break;
                }
            }
        }
    }

    private TrackedCall[] ring() {
        TrackedCall[] ring = slots;
        return ring != null ? ring : makeRing();
    }

    private synchronized TrackedCall[] makeRing() {
        if (slots == null) {
            slots = new TrackedCall[limits.firstSlots];
        }
        return slots;
    }
}
