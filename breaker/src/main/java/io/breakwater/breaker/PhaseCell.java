package io.breakwater.breaker;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * Where a breaker's current {@link Phase} lives: in the {@link CircuitBreaker} object itself, so that asking in CLOSED
 * reads the breaker and its phase, two objects, and not a third in between. Among many breakers, each of those
 * objects is likely a cache miss of its own. The {@link StateMachine} of the breaker reads and swaps it here.
 *
 * <p>The first phase is set while the breaker is made, in a field that is not final: like any object with such state, a
 * breaker is handed to other threads safely (a registry, a final or volatile field, a concurrent collection, a thread's
 * start), as every path of this library does.
 */
abstract class PhaseCell {

    private static final AtomicReferenceFieldUpdater<PhaseCell, Phase> PHASE =
            AtomicReferenceFieldUpdater.newUpdater(PhaseCell.class, Phase.class, "phase");

    // The current phase. Only ever replaced by compareAndSet from the phase being left (replacePhase()); set once, to
    // the first, by the state machine's constructor (firstPhase()).
    volatile Phase phase;
    // The CLOSED phase installed last (null before the first), beside the phase in the same object: phase == lastClosed
    // tells CLOSED without reading the phase object itself (its class), one memory access fewer. Written after the
    // phase, without ordering: a reader that finds it stale or newer than the phase only takes the longer way (the
    // phase's class). Only ever a CLOSED phase, so an equal reference is one.
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
        }
        return true;
    }
}
