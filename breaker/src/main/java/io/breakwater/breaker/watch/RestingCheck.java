package io.breakwater.breaker.watch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;

/**
 * A {@link Watchdog} check that leaves the watchdog's rounds while its owner has nothing to watch, and comes back
 * when {@linkplain #wake() woken}. For owners kept by the many, most of them idle: an EventBus may hold 100,000
 * streams, and visiting each every tick costs the watchdog about half a core there (a few cache misses per stream,
 * ten times a second) while none publishes.
 *
 * <p>After each {@link #tick()}, a check whose {@link #idle()} holds leaves the rounds. The owner wakes it whenever
 * something may need watching again: after it made a call visible to the check (a tracker's ticket taken), or when
 * its breaker moved. A wake that races with the check's leaving is never lost: the check leaves, then asks
 * {@link #idle()} once more, and comes back itself when that no longer holds; a waker that saw the check still in
 * the rounds made its call visible before it looked, so that second look sees it.
 *
 * <p>A new check starts in the rounds: its first tick decides. {@link #close()} takes it out for good.
 */
public abstract class RestingCheck implements Runnable, AutoCloseable {

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
    // The rounds it joins and leaves: the watchdog's (null), or a test's.
    private final Set<Runnable> rounds;

    /** A check of the {@link Watchdog}'s rounds. */
    protected RestingCheck() {
        this(null);
    }

    /** A check of {@code rounds}, ticked by whoever runs them (tests). */
    RestingCheck(Set<Runnable> rounds) {
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
     * {@link #tick()}, and again after the check left the rounds.
     */
    protected abstract boolean idle();

    /** Something may need watching: the check is in the watchdog's rounds from the next tick (cheap when it is). */
    public final void wake() {
        if (state == RESTING && STATE.compareAndSet(this, RESTING, AWAKE)) {
            join();
        }
    }

    private void join() {
        if (rounds == null) {
            Watchdog.add(this);
        } else {
            rounds.add(this);
        }
        if (state == CLOSED) {
            leave(); // closed meanwhile: its close may have come before the add
        }
    }

    private void leave() {
        if (rounds == null) {
            Watchdog.remove(this);
        } else {
            rounds.remove(this);
        }
    }

    /** The watchdog's tick: {@link #tick()}, then out of the rounds when {@link #idle()}. */
    @Override
    public final void run() {
        tick();
        if (!idle()) {
            return;
        }
        leave();
        if (!STATE.compareAndSet(this, AWAKE, RESTING)) {
            return; // closed
        }
        // A wake between the remove and the set above saw AWAKE and left the check to this look.
        if (!idle() && STATE.compareAndSet(this, RESTING, AWAKE)) {
            join();
        }
    }

    /** Whether the check is in the watchdog's rounds (or on its way in); for tests and diagnostics. */
    public final boolean awake() {
        return state == AWAKE;
    }

    /** Out of the watchdog's rounds for good; later wakes do nothing. */
    @Override
    public void close() {
        if ((int) STATE.getAndSet(this, CLOSED) != CLOSED) {
            leave();
        }
    }
}
