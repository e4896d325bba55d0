package io.breakwater.eventbus.internal;

import java.util.ArrayDeque;

/**
 * The events one stream's cut-over from its spill holds, in the order they were published: the replay has sent every
 * event the spill held for the stream, a few are still on their way in, and new events wait here instead of following
 * them into the spill ({@link SpillLedger#hold}). Bounded in events, bytes and time; guarded by its ledger.
 */
final class CutOver {

    // A cut-over holds at most this many events, or bytes of them, and for at most this long; past that, it is given up.
    static final int MAX_EVENTS = 10_000;
    static final long MAX_BYTES = 16L << 20;
    static final long MAX_NANOS = 2_000_000_000L;

    /** An event a cut-over holds: sent directly, or appended to the spill (counted there already), in its turn. */
    interface Held {
        void send();

        void spill();

        int bytes();
    }

    private final ArrayDeque<Held> events = new ArrayDeque<>();
    private final long since;
    private long bytes;

    /** A cut-over begun at {@code nowNanos} ({@code System.nanoTime}). */
    CutOver(long nowNanos) {
        this.since = nowNanos;
    }

    /** Whether {@code event} fits beside those held. */
    boolean fits(Held event) {
        return events.size() < MAX_EVENTS && bytes + event.bytes() <= MAX_BYTES;
    }

    void add(Held event) {
        events.add(event);
        bytes += event.bytes();
    }

    /** The oldest held event, taken; null when none is left. */
    Held next() {
        return events.poll();
    }

    /** Whether it has lasted longer than {@link #MAX_NANOS} at {@code nowNanos}. */
    boolean expired(long nowNanos) {
        return nowNanos - since > MAX_NANOS;
    }
}
