package io.breakwater.eventbus.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's way back from its spill under a steady load. The replay has sent every event the spill held for the
 * stream, but a few are still on their way in, so no batch will ever hold them all while the load goes on: new events
 * are held here, in the order they were published, instead of following those into the spill ({@link #hold}); once the
 * replay has sent the last of those too, the held ones are sent, then new events go directly ({@link #cutOver}). Bounded
 * in events, bytes and time; past a bound, when the replay fails or the breaker starts refusing, or when the bus closes,
 * the held events follow the others into the spill, in order ({@link #giveUp}), and no cut-over begins for
 * {@link #MAX_NANOS}; each give-up is counted in the spill's status and logged at DEBUG with its reason. The held
 * events are in the spill's pending count. All state is guarded by the stream's {@link SpillLedger}; the events are
 * sent and spilled without that lock (Kafka's network thread settles under it), by the replay's thread alone while the
 * cut-over ends.
 */
final class CutOver {

    // At most this many events are held (a quarter of the transport's default send queue, which every stream shares and
    // the held events enter at once), or bytes of them, for at most this long.
    static final int MAX_EVENTS = 2_500;
    static final long MAX_BYTES = 16L << 20;
    static final long MAX_NANOS = 2_000_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(CutOver.class);

    /** An event a cut-over holds: sent directly, or appended to the spill (counted there already), in its turn. */
    interface Held {
        void send();

        /** Appends to the spill, ending its count there on every path; never throws. */
        void spill();

        int bytes();
    }

    /** The events of one cut-over. */
    private static final class Events {
        final ArrayDeque<Held> queue = new ArrayDeque<>();
        final long since;
        long bytes;
        // Whether the held events are being sent (the cut-over has begun to end, and ends once none is left); whether one
        // is on its way to the transport now; whether the cut-over was given up meanwhile (it ends once that one is sent,
        // and until then new events go to the spill, never around it).
        boolean flushing;
        boolean sending;
        boolean givenUp;

        Events(long since) {
            this.since = since;
        }
    }

    private final SpillLedger ledger;
    private final String stream;
    private final CutOverStats stats;
    // Guarded by the ledger: the cut-over under way (null: none), whether the bus closes (then none begins), and when the
    // last one was given up. active mirrors held != null for the replay's ticks, which look at every stream.
    private Events held;
    private volatile boolean active;
    private boolean closed;
    private boolean givenUpOnce;
    private long givenUpAt;

    CutOver(SpillLedger ledger, String stream, CutOverStats stats) {
        this.ledger = ledger;
        this.stream = stream;
        this.stats = stats;
    }

    /** Whether new events are held; the ledger's lock held. */
    boolean holding() {
        return held != null;
    }

    /**
     * Begins a cut-over at {@code nowNanos} unless one is under way, one was given up less than {@link #MAX_NANOS} ago,
     * or the bus closes; the ledger's lock held.
     */
    void begin(long nowNanos) {
        if (held == null && !closed && (!givenUpOnce || System.nanoTime() - givenUpAt > MAX_NANOS)) {
            held = new Events(nowNanos);
            active = true;
            stats.begun.increment();
        }
    }

    /**
     * An event the ledger answered as held: held ({@code false}), or, should the cut-over have ended or been given up
     * meanwhile, appended to the spill ({@code false}) or not held at all ({@code true}: the caller sends it directly,
     * behind the held ones). One too many, or one that comes after {@link #MAX_NANOS}, gives the cut-over up.
     */
    boolean hold(Held event) {
        String over = null;
        long now = System.nanoTime();
        synchronized (ledger) {
            if (held != null && !held.givenUp) {
                if (!held.flushing && now - held.since > MAX_NANOS) {
                    // Checked here too, not only by the replay's ticks: that thread may be stuck in the store's I/O (not
                    // once it sends the held events: then the cut-over ends as soon as it has, held to its bounds in
                    // events and bytes should that thread stall in a spill's append meanwhile).
                    over = "it took longer than " + MAX_NANOS / 1_000_000 + " ms";
                } else if (held.queue.size() < MAX_EVENTS && held.bytes + event.bytes() <= MAX_BYTES) {
                    held.queue.add(event);
                    held.bytes += event.bytes();
                    stats.held(1, event.bytes());
                    return false;
                } else {
                    over = "it would hold more than " + MAX_EVENTS + " events or " + (MAX_BYTES >> 20) + " MiB";
                }
            }
        }
        if (over != null) {
            giveUp(over);
        }
        synchronized (ledger) {
            // Given up while one held event is still on its way to the transport: behind it, to the spill.
            if (held == null && !ledger.spills()) {
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
        if (!active) {
            return;
        }
        while (true) {
            Held event;
            boolean direct;
            synchronized (ledger) {
                if (held == null || held.givenUp || closed || (!held.flushing && ledger.spills())) {
                    break;
                }
                held.flushing = true;
                event = held.queue.poll();
                if (event == null) {
                    end();   // new events go directly from now on
                    return;
                }
                held.bytes -= event.bytes();
                direct = !ledger.spills();
                if (direct) {
                    held.sending = true;
                } else {
                    ledger.countSpilling(1);
                }
            }
            try {
                if (direct) {
                    event.send();
                } else {
                    event.spill();
                }
            } finally {
                stats.held(-1, -event.bytes());   // once it is sent or queued for the spill: pending never misses it
                synchronized (ledger) {
                    if (held != null) {
                        held.sending = false;
                        if (held.givenUp) {
                            end();   // given up meanwhile: what it held is in the spill, and new events follow them
                        }
                    }
                }
            }
        }
        if (closed) {
            giveUp(null);
        }
    }

    /** The cut-over is over; the ledger's lock held. */
    private void end() {
        held = null;
        active = false;
    }

    /**
     * The cut-over ends without one, for the reason {@code why} (null: the bus closes, which is not counted): the held
     * events follow the others into the spill, in order. Should one be on its way to the transport, the cut-over ends
     * once it is there, new events going to the spill meanwhile.
     */
    void giveUp(String why) {
        List<Held> events;
        long bytes;
        synchronized (ledger) {
            if (held == null || held.givenUp) {
                return;
            }
            events = new ArrayList<>(held.queue);
            held.queue.clear();
            bytes = held.bytes;
            held.bytes = 0;
            givenUpOnce = true;
            givenUpAt = System.nanoTime();
            ledger.countSpilling(events.size());
            if (held.sending) {
                held.givenUp = true;
            } else {
                end();
            }
        }
        if (why != null) {
            LOG.debug("Stream '{}' stays in its spill for now: its cut-over to direct sends was given up, as {}; {} "
                    + "event(s) it held follow the others into the spill", stream, why, events.size());
        }
        try {
            for (Held event : events) {
                event.spill();
            }
        } finally {
            stats.held(-events.size(), -bytes);   // once queued for the spill, where pending counts them: never in neither
            if (why != null) {
                stats.givenUp.increment();
            }
        }
    }

    /**
     * On each replay tick: gives up a cut-over older than {@link #MAX_NANOS}, or whose stream's breaker refuses or only
     * tries calls ({@code breakerCalm} false).
     */
    void expire(long nowNanos, boolean breakerCalm) {
        if (!active) {
            return;
        }
        String why = null;
        synchronized (ledger) {
            if (held != null && !breakerCalm) {
                why = "the stream's breaker is no longer CLOSED";
            } else if (held != null && nowNanos - held.since > MAX_NANOS) {
                why = "it took longer than " + MAX_NANOS / 1_000_000 + " ms";
            }
        }
        if (why != null) {
            giveUp(why);
        }
    }

    /** The bus is closing: no cut-over from now on, and the held events go to the spill while it is still open. */
    void close() {
        synchronized (ledger) {
            closed = true;
        }
        giveUp(null);
    }
}
