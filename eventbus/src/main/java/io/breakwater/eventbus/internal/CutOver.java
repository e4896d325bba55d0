package io.breakwater.eventbus.internal;

import java.util.ArrayDeque;

/**
 * One stream's way back from its spill under a steady load. The replay has sent every event the spill held for the
 * stream, but a few are still on their way in, so no batch will ever hold them all while the load goes on: new events
 * are held here, in the order they were published, instead of following those into the spill ({@link #hold}); once the
 * replay has sent the last of those too, the held ones are sent, then new events go directly ({@link #cutOver}). Bounded
 * in events, bytes and time; past a bound, when the replay fails or the breaker leaves CLOSED, or when the bus closes,
 * the held events follow the others into the spill, in order ({@link #giveUp}). All state is guarded by the stream's
 * {@link SpillLedger}; the events are sent and spilled without that lock (Kafka's network thread settles under it).
 */
final class CutOver {

    // At most this many events are held (a quarter of the transport's default send queue, which every stream shares and
    // the held events enter at once), or bytes of them, for at most this long.
    static final int MAX_EVENTS = 2_500;
    static final long MAX_BYTES = 16L << 20;
    static final long MAX_NANOS = 2_000_000_000L;

    /** An event a cut-over holds: sent directly, or appended to the spill (counted there already), in its turn. */
    interface Held {
        void send();

        void spill();

        int bytes();
    }

    /** The events of one cut-over. */
    private static final class Events {
        final ArrayDeque<Held> queue = new ArrayDeque<>();
        final long since;
        long bytes;
        // Whether the held events are being sent: the cut-over has begun to end, and ends once none is left.
        boolean flushing;

        Events(long since) {
            this.since = since;
        }
    }

    private final SpillLedger ledger;
    // Guarded by the ledger: the cut-over under way (null: none), and whether the bus closes (then none begins).
    private Events held;
    private boolean closed;

    CutOver(SpillLedger ledger) {
        this.ledger = ledger;
    }

    /** Whether new events are held; the ledger's lock held. */
    boolean holding() {
        return held != null;
    }

    /** Begins a cut-over at {@code nowNanos} unless one is under way or the bus closes; the ledger's lock held. */
    void begin(long nowNanos) {
        if (held == null && !closed) {
            held = new Events(nowNanos);
        }
    }

    /**
     * An event the ledger answered as held: held ({@code false}), or, should the cut-over have ended meanwhile, appended
     * to the spill ({@code false}) or not held at all ({@code true}: the caller sends it directly, behind the held ones).
     * One too many gives the cut-over up.
     */
    boolean hold(Held event) {
        synchronized (ledger) {
            if (held != null && held.queue.size() < MAX_EVENTS && held.bytes + event.bytes() <= MAX_BYTES) {
                held.queue.add(event);
                held.bytes += event.bytes();
                return false;
            }
        }
        giveUp();
        synchronized (ledger) {
            if (!ledger.spills()) {
                return true;
            }
            ledger.countSpilling(1);
        }
        event.spill();
        return false;
    }

    /**
     * On the replay's thread: once the replay has sent every event the spill holds for the stream, the held events are
     * sent, in order, and new events go directly once none is held (those held meanwhile are sent in their turn). One
     * refused at once goes to the spill, and every one behind it follows. After {@link #close}, gives up instead.
     */
    void cutOver() {
        while (true) {
            Held event;
            boolean direct;
            synchronized (ledger) {
                if (held == null || closed || (!held.flushing && ledger.spills())) {
                    break;
                }
                held.flushing = true;
                event = held.queue.poll();
                if (event == null) {
                    held = null;   // new events go directly from now on
                    return;
                }
                direct = !ledger.spills();
                if (!direct) {
                    ledger.countSpilling(1);
                }
            }
            try {
                if (direct) {
                    event.send();
                } else {
                    event.spill();
                }
            } catch (RuntimeException | Error e) {
                giveUp();   // no memory left, say: the events behind it are not left held
                throw e;
            }
        }
        if (closed) {
            giveUp();
        }
    }

    /** The cut-over ends without one: the held events follow the others into the spill, in order. */
    void giveUp() {
        Events events;
        synchronized (ledger) {
            events = held;
            held = null;
            if (events == null) {
                return;
            }
            ledger.countSpilling(events.queue.size());
        }
        for (Held event; (event = events.queue.poll()) != null; ) {
            event.spill();   // ends its count on every path
        }
    }

    /** On each replay tick: gives up a cut-over older than {@link #MAX_NANOS}, or whose stream's breaker is not CLOSED. */
    void expire(long nowNanos, boolean breakerClosed) {
        boolean expired;
        synchronized (ledger) {
            expired = held != null && (!breakerClosed || nowNanos - held.since > MAX_NANOS);
        }
        if (expired) {
            giveUp();
        }
    }

    /** The bus is closing: no cut-over from now on, and the held events go to the spill while it is still open. */
    void close() {
        synchronized (ledger) {
            closed = true;
        }
        giveUp();
    }
}
