package io.breakwater.breaker;

/**
 * Told of every transition of a breaker, once each, in order. It runs on the thread that caused the
 * transition (or on one that completed an earlier one), so it must be quick and must not block: hand
 * slow work to a queue. An exception it throws is logged and goes no further.
 */
@FunctionalInterface
public interface TransitionListener {
    void onTransition(StateTransition transition);
}
