package io.breakwater.breaker.watch;

/**
 * One call a {@link CallTracker} tracks. Subclasses say what an expiry means; the tracker decides when. Its state moves
 * by the tracker's compare-and-set only.
 */
public abstract class TrackedCall {
    static final int BLOCKING = 0;
    static final int WAITING = 1;
    // Counted by the watchdog, answer still to come: it still holds up the stall check.
    static final int EXPIRED = 2;
    static final int SETTLED = 3;
    static final long NONE = Long.MIN_VALUE;

    // Set by the constructor, or by start() before begin(); published with the call's slot, as the ticket is.
    long startNanos;
    // Set by begin() before the call is published in its slot.
    long ticket = -1;
    // BLOCKING, then WAITING, then EXPIRED (or not), then SETTLED; moved by compare-and-set (CallTracker.STATE) only.
    volatile int state;
    // When the call failed in a way that counts (set before it is settled); NONE otherwise.
    volatile long failedAt = NONE;
    // Whether the watchdog has put this failure into a run; watchdog thread only.
    boolean inRun;
    // For calls in line: the check at which the watchdog last found that a call begun before this one had succeeded since
    // the check before (NONE: none yet); watchdog thread only.
    long lineMark = NONE;

    protected TrackedCall(long startNanos) {
        this.startNanos = startNanos;
    }

    /** A call whose clock starts later: {@link #start} must set it before the call is begun in a tracker. */
    protected TrackedCall() {
    }

    /**
     * Starts this call's clock at {@code nanos}, before {@link CallTracker#begin}, on the thread that begins it.
     *
     * @throws IllegalStateException once the call was begun: the watchdog may be reading its start
     */
    protected final void start(long nanos) {
        if (ticket != -1) {
            throw new IllegalStateException("a tracked call's clock starts before it is begun, not after");
        }
        this.startNanos = nanos;
    }

    public long startNanos() {
        return startNanos;
    }

    /** Whether the call's answer has been taken ({@link CallTracker#answer}): a second one changes nothing. */
    protected final boolean answered() {
        return state == SETTLED;
    }

    /**
     * For a call in line, found waiting at {@code now} by the watchdog: how long it has waited since it began and since
     * its line last moved. {@code moved}: a call begun before it succeeded since the last check, no later than
     * {@code movedBy} (the last success then; NONE: none yet), which is its line's move when it came after it began (as
     * far as the last success says). Watchdog thread only.
     */
    final long waitedInLine(boolean moved, long movedBy, long now) {
        if (moved && movedBy != NONE && movedBy - startNanos > 0) {
            lineMark = movedBy;
        }
        long age = now - startNanos;
        return lineMark == NONE ? age : Math.min(age, now - lineMark);
    }

    /**
     * The watchdog expired this call: it {@code blocked} past the block threshold, or waited past the
     * answer threshold, {@code ageNanos} after it began. Runs on the watchdog thread, once.
     */
    protected abstract void expired(boolean blocked, long ageNanos);
}
