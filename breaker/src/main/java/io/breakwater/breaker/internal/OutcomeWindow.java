package io.breakwater.breaker.internal;

import io.breakwater.breaker.CircuitBreakerConfig;

/**
 * A sliding window of call outcomes. A window belongs to one CLOSED period of
 * one breaker; it is replaced, never cleared.
 */
public interface OutcomeWindow {

    /**
     * Records one {@link Outcome}. Returns the calls the window holds after this one when that is cheap to
     * know and the record changed the window (a count window); 0 when, were it a plain success, no rule could
     * newly hold (it changed nothing, or the window already held {@code minimumCalls} and nothing has left it
     * since they were counted); or -1 when the window cannot say (a time window, whose old outcomes leave as
     * time passes).
     */
    long record(int outcome, long nowNanos);

    /** The window's content at {@code nowNanos}. */
    WindowTotals totals(long nowNanos);

    /** "last 20 calls" or "last 10 s", for reasons and reports. */
    String describe();

    /** "last 20 calls", "last 10 s" or "no window", from the config alone. */
    static String describe(CircuitBreakerConfig config) {
        if (config.windowSize().isPresent()) {
            return "last " + config.windowSize().getAsInt() + " calls";
        }
        return config.windowDuration().map(d -> "last " + d.toSeconds() + " s").orElse("no window");
    }

    /** A fresh window as the config asks, or one that holds nothing when no window is configured. */
    static OutcomeWindow create(CircuitBreakerConfig config) {
        if (config.windowSize().isPresent()) {
            return new CountWindow(config.windowSize().getAsInt());
        }
        if (config.windowDuration().isPresent()) {
            return new TimeWindow((int) config.windowDuration().get().toSeconds(), config.minimumCalls());
        }
        return NoWindow.INSTANCE;
    }

    /** The window of a breaker configured without one: it keeps nothing and costs nothing. */
    enum NoWindow implements OutcomeWindow {
        INSTANCE;

        @Override
        public long record(int outcome, long nowNanos) {
            return 0;
        }

        @Override
        public WindowTotals totals(long nowNanos) {
            return WindowTotals.EMPTY;
        }

        @Override
        public String describe() {
            return "no window";
        }
    }
}
