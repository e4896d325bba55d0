package io.breakwater.breaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * Where a breaker's current {@link Phase} lives: in the {@link CircuitBreaker} object itself, so that asking in CLOSED
 * reads the breaker and its phase, two objects, and not a third in between (and {@code canExecute()} the breaker
 * alone, through {@code lastClosed}). Among many breakers, each of those objects is likely a cache miss of its own.
 * The {@link StateMachine} of the breaker reads and swaps it here.
 *
 * <p>The first phase is set while the breaker is made, in fields that are not final: like any object with such state,
 * a breaker is handed to other threads safely (a registry, a final or volatile field, a concurrent collection, a
 * thread's start), as every path of this library does. (One handed over through a data race could show both fields
 * null, and be taken for CLOSED.)
 */
abstract class PhaseCell {

    private static final AtomicReferenceFieldUpdater<PhaseCell, Phase> PHASE =
            AtomicReferenceFieldUpdater.newUpdater(PhaseCell.class, Phase.class, "phase");
    private static final VarHandle LAST_CLOSED;

    static {
        try {
            LAST_CLOSED = MethodHandles.lookup().findVarHandle(PhaseCell.class, "lastClosed", Phase.Closed.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // The current phase. Only ever replaced by compareAndSet from the phase being left (replacePhase()); set once, to
    // the first, by the state machine's constructor (firstPhase()).
    volatile Phase phase;
    // The CLOSED phase installed last, while it is the phase (else null, or one left a moment ago), beside the phase in
    // the same object: phase == lastClosed tells CLOSED without reading the phase object itself (its class), one memory
    // access fewer. Written after the phase, read without ordering: a reader that finds it stale or newer than the
    // phase only takes the longer way (the phase's class). Only ever a CLOSED phase or null, so an equal reference to a
    // phase is a CLOSED one. Let go of when the breaker leaves that phase, so that an OPEN breaker keeps no window.
    Phase.Closed lastClosed;

    /** Sets the first phase, while the breaker is made. */
    final void firstPhase(Phase first) {
        phase = first;
        if (first instanceof Phase.Closed closed) {
            lastClosed = closed;
        }
    }

    /** Moves from phase {@code from} to {@code to}; false when the phase is {@code from} no longer. */
    final boolean replacePhase(Phase from, Phase to) {
        if (!PHASE.compareAndSet(this, from, to)) {
            return false;
        }
        if (to instanceof Phase.Closed closed) {
            lastClosed = closed;
        } else if (from instanceof Phase.Closed left) {
            LAST_CLOSED.compareAndSet(this, left, null);   // not a CLOSED phase installed meanwhile
        }
        return true;
    }
}
