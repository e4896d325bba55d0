package io.breakwater.consumer.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Permit;
import io.breakwater.breaker.StateTransition;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the loop may handle a record now, and what it reports to the breaker. In the recording mode the loop is
 * the breaker's recorder: a permit for each record (for each batch in CLOSED), the outcome reported with it. In the
 * observing mode something the handler calls records into the breaker (a guarded DataSource, a guarded producer):
 * the loop only reads the state, and in HALF_OPEN lets trial records through one call at a time, the resource's own
 * trial permits being the limit (its refusal backs the loop off until the breaker moves). Counting trials here
 * instead could wait for ever: a trial that records no success (a handler that skips the resource, a failure that
 * does not count, a batch written in one statement) would use up a count while the breaker stays HALF_OPEN.
 *
 * <p>The gate also says when the loop holds (all partitions paused): from a refusal until the breaker has moved and
 * admits calls again, or, after the handler itself was refused by a breaker ({@code CircuitBreakerOpenException}),
 * for a backoff. A refusal in HALF_OPEN (its trial permits all held) holds for the backoff at most: a trial permit can
 * be given back without moving the breaker (an outcome that does not count, a call never made), and none may be
 * left to move it. A transition reaches the gate through {@link #onTransition}, on whatever thread made it; it only
 * bumps a counter, which the loop reads on its own thread. Everything else is the loop thread's alone.
 */
public final class Gate {

    /** What let one record (or one batch) through: a permit in the recording mode, nothing to report otherwise. */
    public static final class Admission {
        final Permit permit;
        final boolean trial;

        Admission(Permit permit, boolean trial) {
            this.permit = permit;
            this.trial = trial;
        }

        public boolean trial() {
            return trial;
        }
    }

    private static final Admission OBSERVED = new Admission(null, false);
    private static final Admission OBSERVED_TRIAL = new Admission(null, true);

    private final CircuitBreaker breaker;
    private final boolean recording;
    private final Clock clock;
    private final long backoffNanos;
    // Transitions of the breaker so far: bumped by the listener on the thread that made each, read by the loop.
    private final AtomicLong transitions = new AtomicLong();

    // The rest is the loop thread's. Holding: the partitions are paused by the gate.
    private boolean holding;
    // What the breaker looked like when the refusal that started the hold was decided: the hold ends once it moved.
    private long heldAtTransitions;
    private CircuitBreakerState heldInState;
    // A backoff hold (the handler was refused by some breaker), or one in HALF_OPEN, ends at this time at the latest.
    private long backoffUntil;
    private boolean backingOff;
    // What the breaker looked like before the last admission was asked.
    private long seenTransitions;
    private CircuitBreakerState seenState = CircuitBreakerState.CLOSED;

    public Gate(CircuitBreaker breaker, boolean recording, long backoffNanos) {
        this.breaker = breaker;
        this.recording = recording;
        this.clock = breaker.config().clock();
        this.backoffNanos = backoffNanos;
    }

    /** The breaker's listener: counts the transition, nothing else (the loop acts on it, on its own thread). */
    public void onTransition(StateTransition transition) {
        transitions.incrementAndGet();
    }

    /** Transitions seen so far: a record's failed attempts are counted within one value of this. */
    public long transitions() {
        return transitions.get();
    }

    /** Successes the breaker has recorded so far, from any caller. */
    public long successes() {
        return breaker.callStats().successful();
    }

    public boolean recording() {
        return recording;
    }

    /**
     * At the start of a round: applies the breaker's timeouts, then says whether the loop holds now. A breaker that
     * rejects calls starts a hold even before any record was refused, so an idle loop pauses too.
     */
    public boolean holds() {
        breaker.checkTimeouts();
        long seen = transitions.get();
        CircuitBreakerState state = breaker.state();
        if (!holding) {
            if (state.rejectsCalls()) {
                startHold(seen, state);
            }
            return holding;
        }
        if (state.rejectsCalls()) {
            if (backingOff || seen != heldAtTransitions || state != heldInState) {
                startHold(seen, state); // still refused: wait for the next move from here
            }
            return true;
        }
        boolean moved = seen != heldAtTransitions || state != heldInState;
        boolean timed = backingOff || state == CircuitBreakerState.HALF_OPEN;   // trials may be free again, unmoved
        if (moved || timed && clock.nanoTime() - backoffUntil >= 0) {
            holding = false;
            backingOff = false;
        }
        return holding;
    }

    public boolean holding() {
        return holding;
    }

    /** Asks to handle one record (or a batch); null when refused, and the loop must hold. */
    public Admission admit() {
        seenTransitions = transitions.get();
        seenState = breaker.state();
        if (recording) {
            Permit permit = breaker.tryAcquirePermit();
            return permit == null ? null : new Admission(permit, permit.isTrial());
        }
        return switch (seenState) {
            case CLOSED, DISABLED -> OBSERVED;
            case HALF_OPEN -> OBSERVED_TRIAL; // the resource's guard holds the trial permits, and refuses beyond them
            default -> null;
        };
    }

    /**
     * How many records of {@code size} one trial batch may hold: as many as admitted, or in the observing mode at
     * most {@code halfOpenMaxCalls} (the batch is one call, or a few, to the resource).
     */
    public int trialBatchLimit(int size) {
        return recording ? size : Math.min(size, breaker.config().halfOpenMaxCalls());
    }

    /** The last admission was refused: hold until the breaker moves from what it was when the admission was asked. */
    public void refused() {
        startHold(seenTransitions, seenState);
    }

    /**
     * The handler was refused by a breaker (its own call to a guarded resource): hold for the backoff, or until this
     * gate's breaker moves, whichever comes first.
     */
    public void backOff() {
        startHold(transitions.get(), breaker.state());
        backingOff = true;
    }

    private void startHold(long atTransitions, CircuitBreakerState inState) {
        holding = true;
        backingOff = false;
        heldAtTransitions = atTransitions;
        heldInState = inState;
        backoffUntil = clock.nanoTime() + backoffNanos;
    }

    /** Reports a success of what {@code admission} let through, which took {@code nanos}. */
    public void succeeded(Admission admission, long nanos) {
        if (admission.permit != null) {
            breaker.recordSuccess(admission.permit, nanos);
        }
    }

    /** Reports a failure that counts (the breaker's predicates still decide, in the recording mode). */
    public void failed(Admission admission, Throwable failure, long nanos) {
        if (admission.permit != null) {
            breaker.recordFailure(admission.permit, failure, nanos);
        }
    }

    /** Reports an outcome that does not count: a trial permit is given back. */
    public void ignored(Admission admission) {
        if (admission.permit != null) {
            breaker.recordIgnored(admission.permit);
        }
    }

    /** Gives back a permit whose record was never handled. */
    public void release(Admission admission) {
        if (admission.permit != null) {
            breaker.releasePermit(admission.permit);
        }
    }

    /** Whether the breaker is DISABLED: it passes every call and never opens. */
    public boolean disabled() {
        return breaker.state() == CircuitBreakerState.DISABLED;
    }

    /** Whether the breaker rejects calls now. */
    public boolean rejecting() {
        return breaker.state().rejectsCalls();
    }
}
