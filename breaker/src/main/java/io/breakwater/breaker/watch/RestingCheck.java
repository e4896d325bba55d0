package io.breakwater.breaker.watch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@link Watchdog} check that leaves the watchdog's rounds while its owner has nothing to watch, and comes back
 * when {@linkplain #wake() woken}. For owners kept by the many, most of them idle: an EventBus may hold 100,000
 * streams, and visiting each every tick costs the watchdog about half a core there (a few cache misses per stream,
 * ten times a second) while none publishes. A wake of a resting check costs two compare-and-sets; of an awake one, a
 * volatile read.
 *
 * <p>After each {@link #tick()}, a check whose {@link #idle()} holds leaves the rounds. The owner wakes it whenever
 * something may need watching again: after it made a call visible to the check (a tracker's ticket taken), or when
 * its breaker moved. A wake that races with the check's leaving is never lost: the check leaves, then asks
 * {@link #idle()} once more, and stays when that no longer holds; a waker that saw the check still awake made its
 * call visible before it looked, so that second look sees it.
 *
 * <p>A new check is resting; {@link #start()} puts it in the rounds, and its first tick decides. {@link #close()}
 * takes it out for good (at the next tick).
 */
public abstract class RestingCheck {

    private static final int RESTING = 0;
    private static final int AWAKE = 1;
    private static final int CLOSED = 2;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(RestingCheck.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state = RESTING;
    // The rounds it joins: the watchdog's (null), or a test's.
    private final Rounds rounds;
    // The next in the rounds' stack of woken checks; written by the pusher before its compare-and-set.
    RestingCheck next;
    // Whether the rounds keep the check after its last tick, decided before each step that may throw; the ticking
    // thread's.
    boolean kept;

    /** A check of the {@link Watchdog}'s rounds. */
    protected RestingCheck() {
        this(null);
    }

    /** A check of {@code rounds}, ticked by whoever ticks them (tests). */
    RestingCheck(Rounds rounds) {
        this.rounds = rounds;
    }

    /** Puts the check in the watchdog's rounds (call it once the subclass is ready to tick). */
    protected final void start() {
        wake();
    }

    /** One tick's work; on the watchdog thread. */
    protected abstract void tick();

    /**
     * Whether nothing is left to watch until the next {@link #wake()}: asked on the watchdog thread after
     * {@link #tick()}, and again after the check was marked resting.
     */
    protected abstract boolean idle();

    /** Something may need watching: the check is in the watchdog's rounds from the next tick. */
    public final void wake() {
        if (state == RESTING && STATE.compareAndSet(this, RESTING, AWAKE)) {
            if (rounds == null) {
                Watchdog.wake(this);
            } else {
                rounds.push(this);
            }
        }
    }

    /**
     * A tick: {@link #tick()}, then whether the check stays in the rounds (false once it rests or is closed). Should
     * it throw, {@link #kept} says whether the check stays.
     */
    final boolean tickAndStay() {
        kept = true; // a tick or a first look that throws: the check stays, awake
        if (state == CLOSED) {
            return kept = false;
        }
        tick();
        if (!idle()) {
            return true;
        }
        if (!STATE.compareAndSet(this, AWAKE, RESTING)) {
            return kept = false; // closed
        }
        // A wake before the set above saw AWAKE and left the call it made visible to this look.
        boolean busy = true; // a look that throws counts as busy
        try {
            busy = !idle();
        } finally {
            kept = busy && STATE.compareAndSet(this, RESTING, AWAKE); // else resting, or woken and pushed again
        }
        return kept;
    }

    /** Whether the check is in the watchdog's rounds (or on its way in); for tests and diagnostics. */
    public final boolean awake() {
        return state == AWAKE;
    }

    /** Out of the watchdog's rounds for good (from its next tick); later wakes do nothing. */
    public void close() {
        state = CLOSED;
    }
}
