package io.breakwater.breaker.watch;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls that have begun and are not answered yet, in the order they began: a call first blocks (its
 * {@code send()} or {@code getConnection()} has not returned), then waits for its answer. The
 * {@link Watchdog}, not the caller, walks them each tick and expires a call that has blocked longer than the
 * block threshold or waited longer than the answer threshold, so an outage is noticed while callers are
 * still stuck. Each call is settled exactly once: by its answer, or by the watchdog, whoever wins the call's
 * own compare-and-set. An expired call's late answer is not counted again.
 *
 * <p>Two stall measures are kept for the owner's check. {@link #oldestPendingAgeNanos}: the oldest call still
 * unanswered that began after the last success. {@link #failingRunNanos}: how long calls have gone on failing
 * or waiting, one after another, with none succeeding: a caller whose every call blocks until Kafka's own
 * timeout ({@code max.block.ms}) and then fails is answered each time, so no call stays unanswered for the
 * threshold, yet nothing has succeeded for seconds. The calls of a run follow each other with gaps of at most
 * {@link #RUN_GAP_MILLIS} ms; only failures the owner {@linkplain #failed marks} as counting belong to it; a
 * success, or a failure that does not count ({@link #neutral}), ends it.
 *
 * <p>Calls live in a ring of slots, from 8 up to {@code capacity}, grown by the checks as calls in flight need it; one
 * still pending after as many newer calls began as the ring has slots is forgotten (never expired).
 *
 * <p>A check walks the calls in ticket order and stops at the first pending call younger than half the smaller
 * threshold that began after the last success and the last answer that did not count: with a burst in flight it
 * visits the older calls, not the whole ring (in an outage, when all are old, it visits them all). The calls behind
 * began after it, save a caller that paused between reading the clock and taking its ticket: such a call is found
 * once the call ahead is answered or half the smaller threshold old, so at most the part of its pause over that late
 * (never, if {@code capacity} calls begin first). An owner that marks every answer ({@link #succeeded},
 * {@link #neutral} or {@link #failed} before {@link #answer}) says so ({@code everyAnswerMarked}): its checks stop at
 * any young pending call. A call behind then adds to the failing run, when reached later, what it adds now; an
 * answer without a mark would take its wait out of the run unseen. (Unless {@code capacity} calls begin behind before
 * it is half the smaller threshold old: the failures among them are forgotten, and a run may begin up to that late.)
 */
public final class CallTracker extends CallRing implements Runnable {

    /**
     * The longest pause between one call's failure and the next call's start that keeps a failing run going: a
     * caller that comes back within it is still waiting on the dependency.
     */
    public static final long RUN_GAP_MILLIS = 250;

    private static final Logger LOG = LoggerFactory.getLogger(CallTracker.class);
    private static final VarHandle STATE;
    private static final VarHandle LAST_SUCCESS;
    private static final VarHandle LAST_NEUTRAL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(TrackedCall.class, "state", int.class);
            LAST_SUCCESS = lookup.findVarHandle(CallTracker.class, "lastSuccess", long.class);
            LAST_NEUTRAL = lookup.findVarHandle(CallTracker.class, "lastNeutral", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    // The oldest ticket that may still be pending; read and written by the watchdog thread only.
    private long cursor;
    // When the oldest call still unanswered (expired or not) that began at or after the last success began, as of
    // the last check; NONE when there is none.
    private volatile long oldestPendingStart = NONE;
    // When a call last succeeded; NONE before the first success. When a call was last answered with a failure that does
    // not count; NONE before the first. Both written with a release store, as every answer writes one: a volatile store
    // is a full fence on each answer, on Kafka's network thread; the watchdog reads them, at its next tick at the latest.
    private volatile long lastSuccess = NONE;
    private volatile long lastNeutral = NONE;
    private static final long NONE = TrackedCall.NONE; // "none yet", for the times below as for a call's failure
    // The failing run, made when a call first joins one. Watchdog thread only.
    private FailingRun failing;
    // The run's length as of the last check when it is still going (a call of it pending, or a failure of it new),
    // else -1.
    private volatile long liveRun = -1;

    /**
     * A tracker named {@code name} (for logs) on {@code nanoClock}, with the two thresholds, of {@code capacity} slots
     * (a power of two); {@code everyAnswerMarked}: see the class comment.
     */
    public CallTracker(String name, LongSupplier nanoClock, Duration blockThreshold,
                       Duration answerThreshold, int capacity, boolean everyAnswerMarked) {
        this(name, new TrackerLimits(nanoClock, blockThreshold, answerThreshold, capacity, everyAnswerMarked));
    }

    /** A tracker named {@code name} (for logs) with {@code limits}, which other trackers may share. */
    public CallTracker(String name, TrackerLimits limits) {
        super(Objects.requireNonNull(limits, "limits"));
        this.name = Objects.requireNonNull(name, "name");
    }

    /** This tracker's limits. */
    public TrackerLimits limits() {
        return limits;
    }

    /** {@code call} begins (blocking). */
    public void begin(TrackedCall call) {
        add(call);
    }

    /** {@code call}'s blocking part returned: it waits for its answer now. */
    public void returned(TrackedCall call) {
        STATE.compareAndSet(call, TrackedCall.BLOCKING, TrackedCall.WAITING);
    }

    /** {@code call} is answered. True when the caller is the one to record its outcome; false when it expired. */
    public boolean answer(TrackedCall call) {
        for (;;) {
            int s = call.state;
            if (s == TrackedCall.SETTLED) {
                return false;
            }
            if (STATE.compareAndSet(call, s, TrackedCall.SETTLED)) {
                return s != TrackedCall.EXPIRED;
            }
        }
    }

    /**
     * {@code call} failed at {@code nanos} in a way that counts against the dependency: it joins the failing run.
     * Call it before {@link #answer}, whether or not the call expired.
     */
    public void failed(TrackedCall call, long nanos) {
        call.failedAt = nanos;
    }

    /**
     * A call was answered at {@code nanos} with a failure that does not count (the caller's own error: a duplicate
     * key, a record that cannot be serialized): it ends the failing run, as a success does, though it is no
     * evidence for the oldest-pending check. Call it before {@link #answer}.
     */
    public void neutral(long nanos) {
        long last = lastNeutral;
        if (last == NONE || nanos - last > 0) {
            LAST_NEUTRAL.setRelease(this, nanos);
        }
    }

    /**
     * A call succeeded at {@code nanos}: evidence for the stall check that the dependency answers (late answers too).
     * Written once a {@linkplain #SUCCESS_STEP_NANOS millisecond} at most: the field shares a cache line with the ticket
     * counter that every call's begin takes, and a write from the thread that answers calls on every answer would pull
     * that line away from the thread that begins them. The time kept is at most that step old, which a stall check,
     * counted in its threshold's hundreds of milliseconds, never notices.
     */
    public void succeeded(long nanos) {
        long last = lastSuccess;
        if (last == NONE || nanos - last >= SUCCESS_STEP_NANOS) {
            LAST_SUCCESS.setRelease(this, nanos);
        }
    }

    /**
     * {@code call} succeeded at {@code nanos}: as {@link #succeeded(long)}, and, for calls in line
     * ({@link TrackerLimits#inLine()}), the line of every call begun after it moved. Call it before {@link #answer}.
     */
    public void succeeded(TrackedCall call, long nanos) {
        succeeded(nanos);
        if (limits.inLine && call.ticket >= 0) {
            lineMoved(call.ticket);
        }
    }

    /** How much newer a success must be than the last one kept to be written: one millisecond. */
    static final long SUCCESS_STEP_NANOS = 1_000_000L;

    /**
     * How long the oldest unanswered call that began at or after the last success had been waiting at the
     * last check ({@link #run()}), counting calls the watchdog already expired; -1 when there is none. For
     * stall checks: when this reaches the answer threshold, nothing has succeeded for that long although a call
     * waits, so the dependency answers nobody.
     */
    public long oldestPendingAgeNanos(long nowNanos) {
        long start = oldestPendingStart;
        return start == NONE ? -1 : Math.max(0, nowNanos - start);
    }

    /**
     * How long the failing run had lasted at the last check ({@link #run()}), when it was still going: calls
     * that began after the last success, each failing (as {@linkplain #failed marked}) or still unanswered, each
     * beginning within {@link #RUN_GAP_MILLIS} ms of the one before it ended. -1 when there is no such run, or
     * when it ended (nothing of it pending, and no new failure of it seen at the last check). For stall checks
     * alongside {@link #oldestPendingAgeNanos}.
     */
    public long failingRunNanos() {
        return liveRun;
    }

    /**
     * Whether, as of the last check, every call that had begun was answered and seen by it, no call has begun since,
     * and no failing run is live: checks change nothing then until a call begins (a {@link RestingCheck} may rest).
     * On the watchdog thread.
     */
    public boolean idle() {
        return liveRun == -1 && cursor == issued();
    }

    /** The watchdog's check: expires every call past its threshold, once, and finds the oldest unanswered call. */
    @Override
    public void run() {
        long now = limits.clock.getAsLong();
        long limit = issued();
        TrackedCall[] ring = slotsFor(limit - cursor, limit);
        long c = ring == null ? Math.max(cursor, limit) : Math.max(cursor, Math.max(floor(), limit - ring.length));
        boolean advancing = true;
        long oldest = NONE;
        long success = lastSuccess;
        long neutral = lastNeutral;
        // The run's calls begin after the last success and after the last answer that did not count.
        long runFloor = success == NONE ? neutral : neutral == NONE || success - neutral > 0 ? success : neutral;
        if (failing != null) {
            failing.endBefore(runFloor); // a success, or a failure that does not count, since the run began ends it
        }
        boolean live = false;
        // For calls in line: every call with a higher ticket than this one had a call begun before it succeed since the
        // last check.
        long moved = limits.inLine ? takeLineMin() : Long.MAX_VALUE;
        // The last success as of now, after the moves were taken: a success among them is no later than this.
        long movedBy = limits.inLine ? lastSuccess : NONE;
        for (long t = c; t < limit; t++) {
            TrackedCall call = at(ring, t);
            if (call == null || call.ticket < t) {
                // Ticket taken, slot not written yet: the call has only just begun.
                advancing = false;
                continue;
            }
            int s = call.ticket > t ? TrackedCall.SETTLED : call.state; // a newer lap: t is forgotten
            boolean afterSuccess = success == NONE || call.startNanos - success >= 0;
            boolean inRunTime = runFloor == NONE || call.startNanos - runFloor >= 0;
            if (s == TrackedCall.SETTLED) {
                long failedAt = call.failedAt;
                if (call.ticket == t && failedAt != NONE && !call.inRun) {
                    call.inRun = true;
                    if (inRunTime) {
                        live |= failingRun().join(call.startNanos, failedAt);
                    }
                }
            } else {
                advancing = false;
                long age = now - call.startNanos;
                // A call in line waits for its threshold from the later of its start and its line's last move.
                long waited = limits.inLine ? call.waitedInLine(t > moved, movedBy, now) : age;
                if (afterSuccess && (oldest == NONE || call.startNanos - oldest < 0)) {
                    oldest = call.startNanos;
                }
                if (inRunTime) {
                    live |= failingRun().join(call.startNanos, now);
                }
                boolean blocked = s == TrackedCall.BLOCKING;
                if (s != TrackedCall.EXPIRED && waited >= (blocked ? limits.blockNanos : limits.answerNanos)
                        && STATE.compareAndSet(call, s, TrackedCall.EXPIRED)) {
                    expire(call, blocked, age);
                }
                if (age < limits.youngNanos && (inRunTime || limits.everyAnswerMarked)) {
                    // The calls behind began after this one (see the class comment): none is near a threshold.
                    break;
                }
            }
            if (advancing) {
                c = t + 1;
                if (call.ticket == t) {
                    // Settled and behind the cursor now: its slot lets go of it (a call may hold its record and event).
                    release(ring, t, call);
                }
            }
        }
        cursor = c;
        oldestPendingStart = oldest;
        liveRun = live ? failing.length() : -1;
    }

    private FailingRun failingRun() {
        return failing != null ? failing : (failing = new FailingRun());
    }

    private void expire(TrackedCall call, boolean blocked, long age) {
        try {
            call.expired(blocked, age);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.warn("Tracker {}: handling an expired call failed; carrying on", name, e);
        }
    }

    @Override
    public String toString() {
        return "CallTracker[" + name + "]";
    }
}
