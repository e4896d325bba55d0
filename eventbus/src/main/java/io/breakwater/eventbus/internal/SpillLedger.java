package io.breakwater.eventbus.internal;

/**
 * The spill's bookkeeping of one stream with a spill: how many of its events are queued for or held in the spill, which
 * of them the replay has in flight, and the orders of its events not settled yet. From these the stream decides whether
 * a new event goes directly or behind the spilled ones ({@link #admit()}), and the replay when it may let new events go
 * directly behind its batch.
 */
final class SpillLedger {

    /** In an answer of {@link #admit()}: the event is held for a cut-over, and given to {@link CutOver#hold} (bit 62). */
    static final long HELD = 1L << 62;

    // Held orders at or above this leave too few for new events below HELD (2^62 - 2^40; the clock's orders reach it in
    // the year 2116).
    private static final long MAX_HELD_ORDER = HELD - (1L << 40);

    private final String stream;
    // All guarded by this: the events of this stream queued for or held in the spill, and the orders of events not
    // settled yet (in flight, or on their way into the spill). Orders start from the clock, and above the highest the
    // spill holds for the stream (continueAbove), so that a later process's are above an earlier one's.
    private long spilled;
    // Of those, the events the replay has sent and not yet finished (replaySent, replayFinished).
    private long replayInFlight;
    // Of those, the events counted on their way into the spill, not yet durable there or failed (appendEnded).
    private long appending;
    // Appends ended durable, ever, and how many had when the replay last read the spill (countedAsHeld).
    private long landed;
    private long landedAtRead;
    // Whether the batch in flight holds every event the spill held for the stream (replaySent).
    private boolean wholeInFlight;
    // Whether the spill may hold events of the stream that the counts miss (a batch that did not hold all of them held
    // events not counted, say: an append reported failed that happened): until a batch holds every event there, new
    // events go to the spill, and the replay reads it, whatever the counts say.
    private boolean unsure;
    // Appends reported failed, ever, and how many had when the replay last read the spill. One may have happened (its
    // commit's answer lost): the replay reads the spill to see, while new events go on as the counts say (a store that
    // cannot write must not keep them from the cluster); one that it finds there makes the stream unsure.
    private long failedAppends;
    private long failedAtRead;
    private boolean recheck;
    // The way back from the spill under a steady load; its state is guarded by this.
    final CutOver cutOver;
    private final UnsettledOrders unsettled = new UnsettledOrders(System.currentTimeMillis() * 1_000_000L + 1);

    SpillLedger(String stream, CutOverStats cutOvers) {
        this.stream = stream;
        this.cutOver = new CutOver(this, stream, cutOvers);
    }

    /**
     * A new event of this stream: its order, and whether it goes to the spill because events of the stream wait
     * there (it must not overtake them; negative: it does, and is counted as spilling). Once the replay has sent
     * every event the spill holds for the stream, a new event is sent directly: the producer keeps it behind
     * them. The event is unsettled until {@link #settled}.
     */
    synchronized long admit() {
        long order = unsettled.admit();
        if (order >= HELD) {
            unsettled.settle(order);
            throw new IllegalStateException("stream '" + stream + "' has used up its event orders (" + order + ")");
        }
        if (cutOver.holding()) {
            return order | HELD;
        }
        if (spills()) {
            // Counted here, like spilling(): every event that goes to the spill leaves it through appendEnded() or
            // replayFinished().
            spilled++;
            appending++;
            return -order;
        }
        return order;
    }

    /** An event whose publish failed goes to the spill now (one admitted behind spilled ones is counted already). */
    synchronized void spilling() {
        spilled++;
        appending++;
    }

    /**
     * The append of an event counted as spilling ended, once: it is durable in the spill, or it failed and leaves the
     * count ({@code tried}: the store tried it, and it may have happened; else it never reached the store).
     */
    synchronized void appendEnded(boolean durable, boolean tried) {
        appending--;
        if (durable) {
            landed++;
        } else {
            spilled = Math.max(0, spilled - 1);
            if (tried) {   // by the store: it may have happened
                failedAppends++;
                recheck = true;
            }
        }
    }

    /**
     * A publish threw (no memory left) after {@link #admit()} gave it {@code admitted} (not 0), and before a spill's
     * append took the event over: its order settles, and its count, if it had one, is given back.
     */
    synchronized void unadmit(long admitted) {
        if (admitted < 0) {
            spilled = Math.max(0, spilled - 1);
            appending--;
        }
        unsettled.settle(order(admitted));
    }

    /** The order in an answer of {@link #admit()}. */
    static long order(long admitted) {
        return Math.abs(admitted) & ~HELD;
    }

    /** Whether a new event goes to the spill, as the counts say; this lock held. */
    boolean spills() {
        return spilled > replayInFlight || unsure;
    }

    /** {@code n} events go to the spill (the cut-over's, given up); this lock held. */
    void countSpilling(int n) {
        spilled += n;
        appending += n;
    }

    /** The event of {@code order} is settled: acknowledged, durable in the spill, or failed for good. */
    synchronized void settled(long order) {
        unsettled.settle(order);
    }

    /**
     * The replay has handed a batch of this stream's spilled events to the transport, in order. When it holds every
     * event the spill held for the stream ({@code whole}: a read of all of them, all sent, and none landed since the
     * read began), new events go directly, behind them, once those on their way in are there too. A batch of part of
     * them may hold events not counted (an append reported failed that happened), so nothing can be said from its
     * size: new events go on to the spill.
     */
    void replaySent(boolean whole) {
        replaySent(whole, false, 0);
    }

    /**
     * {@link #replaySent(boolean)}; with {@code mayCutOver} (the stream's breaker CLOSED), a batch of every event read
     * while events are still on their way in begins a cut-over at {@code nowNanos}: under a load so steady that one is
     * always on its way in, no batch would otherwise ever hold them all. The replay then calls {@link CutOver#cutOver()}.
     */
    void replaySent(boolean whole, boolean mayCutOver, long nowNanos) {
        synchronized (this) {
            boolean tail = whole;
            whole &= landed == landedAtRead;   // an event that landed after the read is not in the batch
            wholeInFlight = whole;
            replayInFlight = whole ? Math.max(0, spilled - appending) : 0;
            unsure &= !whole;
            if (tail && mayCutOver && spills()) {
                cutOver.begin(nowNanos);
            }
        }
    }

    /**
     * The replay's batch is answered: {@code removed} of its events left the spill ({@code all}: every one of the
     * batch), the others wait there again. A whole batch removed takes exactly the counted events it held out of the
     * count; any other may have held events not counted, so the spill is read again before new events go directly.
     */
    void replayFinished(long removed, boolean all) {
        synchronized (this) {
            if (wholeInFlight && all) {
                spilled = Math.max(appending, spilled - replayInFlight);
                unsure = false;
            } else {
                spilled = Math.max(appending, spilled - removed); // those on their way in stay counted whatever it held
                unsure = true;
            }
            replayInFlight = 0;
            wholeInFlight = false;
        }
        if (!all) {   // the cluster failed the batch: the held events wait in the spill, not in memory
            cutOver.giveUp("a replayed batch failed");
        }
    }

    /**
     * The replay read the spill's events of the stream: {@code none}, it holds none, so the counts miss nothing there.
     * Else, should an append reported failed before the read began have happened, the event is there, among them, and
     * the stream is unsure until a batch holds all of them.
     */
    synchronized void read(boolean none) {
        if (none) {
            unsure = false;
        }
        if (recheck && failedAppends == failedAtRead) {   // a failure since the read began is seen by the next one
            recheck = false;
            unsure |= !none;
        }
    }

    /** Whether the replay has work: events counted in the spill, or the spill to read again. */
    synchronized boolean replayDue() {
        return spilled > 0 || unsure || recheck || cutOver.holding();
    }

    /**
     * Before the replay reads what the spill holds for the stream, with no batch of it in flight: the events counted
     * that are not on their way in, so each is held or counted in error (-1: the counts are off, nothing can be said).
     */
    synchronized long countedAsHeld() {
        landedAtRead = landed;
        failedAtRead = failedAppends;
        return appending < 0 || replayInFlight != 0 ? -1 : spilled - appending;
    }

    /**
     * {@code n} of the events {@link #countedAsHeld()} gave were not held when the replay then read every event the spill
     * holds for the stream: they were counted in error (a removal whose commit happened was reported failed) and leave
     * the count, so that new events go directly again once the rest are replayed. Only the replay removes, and events
     * that reached the spill meanwhile are in what it read, so {@code n} is at most the events counted in error.
     */
    synchronized void notHeld(long n) {
        spilled = Math.max(appending, spilled - n);
    }

    /** Events of this stream found in the spill at start-up. */
    synchronized void restoreSpilled(long n) {
        spilled += n;
    }

    /**
     * Before any event of this stream: its orders go on above {@code highest}, the highest its spill ({@code store}) holds
     * for it, so that new events replay after the held ones even when this process's clock is behind the one that
     * spilled them.
     *
     * @throws IllegalStateException when {@code highest} leaves too few orders above it (orders the bus did not make)
     */
    synchronized void continueAbove(long highest, String store) {
        if (highest >= MAX_HELD_ORDER) {
            throw new IllegalStateException("Spill " + store + " holds events of stream '" + stream + "' up to order "
                    + highest + ", too near the largest long for new events to follow them (the bus's own orders are "
                    + "below " + MAX_HELD_ORDER + " until the year 2116); move those events away");
        }
        unsettled.startAbove(highest);
    }

    synchronized long spilled() {
        return spilled;
    }

    /** The lowest order still unsettled: spilled events below it may be replayed without overtaking anything. */
    synchronized long replayFloor() {
        // Nothing unsettled: no event at or above the next order may go, as one may be admitted any moment.
        return unsettled.lowest();
    }
}
