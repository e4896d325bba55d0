package io.breakwater.breaker.internal;

/** What a window holds at one moment. Rates are 0 when the window is empty. */
public record WindowTotals(long calls, long failures, long slowCalls) {

    public static final WindowTotals EMPTY = new WindowTotals(0, 0, 0);

    public WindowTotals {
        // Concurrent writers may leave a counter briefly out of step; a report never shows that.
        failures = Math.max(0, Math.min(failures, calls));
        slowCalls = Math.max(0, Math.min(slowCalls, calls));
    }

    public double failureRate() {
        return calls == 0 ? 0.0 : (double) failures / calls;
    }

    public double slowCallRate() {
        return calls == 0 ? 0.0 : (double) slowCalls / calls;
    }
}
