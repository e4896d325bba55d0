package io.breakwater.breaker;

import io.breakwater.breaker.internal.OutcomeWindow;
import io.breakwater.breaker.internal.WindowTotals;
import java.time.Instant;
import java.util.Optional;

/**
 * What one breaker looks like at one moment: for health reports, status pages and metrics.
 *
 * @param name                the breaker's name
 * @param state               its state
 * @param since               when it entered that state
 * @param consecutiveFailures failures in a row in CLOSED (0 in other states)
 * @param windowCalls         calls held by the sliding window (0 without a window, or outside CLOSED)
 * @param windowFailures      failed calls in the window
 * @param windowSlowCalls     slow calls in the window
 * @param failureRate         failures ÷ calls in the window, 0 when empty
 * @param slowCallRate        slow calls ÷ calls in the window, 0 when empty
 * @param window              "last 20 calls", "last 10 s" or "no window"
 * @param successfulCalls     successes since the breaker was created
 * @param failedCalls         failures since the breaker was created
 * @param slowCalls           slow calls since the breaker was created
 * @param rejectedCalls       calls refused since the breaker was created
 * @param ignoredCalls        failures that did not count (ignored throwables) since the breaker was created
 * @param lastFailureAt       when the last failure was recorded, or null
 * @param lastFailure         the last failure ("Class: message", truncated), or null
 * @param nextAttemptAt       when OPEN, the time it admits trial calls; otherwise null
 */
public record CircuitBreakerSnapshot(
        String name,
        CircuitBreakerState state,
        Instant since,
        int consecutiveFailures,
        int windowCalls,
        int windowFailures,
        int windowSlowCalls,
        double failureRate,
        double slowCallRate,
        String window,
        long successfulCalls,
        long failedCalls,
        long slowCalls,
        long rejectedCalls,
        long ignoredCalls,
        Instant lastFailureAt,
        String lastFailure,
        Instant nextAttemptAt) {

    /** {@code machine} (of the breaker {@code name} with {@code config}) as it is now, with its lifetime {@code stats}. */
    static CircuitBreakerSnapshot of(String name, CircuitBreakerConfig config, StateMachine machine, CallStats stats) {
        Phase p = machine.current();
        WindowTotals w = p instanceof Phase.Closed closed ? closed.window.totals(machine.windowNanos()) : WindowTotals.EMPTY;
        int consecutive = p instanceof Phase.Closed closed ? closed.consecutiveFailures() : 0;
        Instant next = p instanceof Phase.Open open ? config.clock().toInstant(open.retryAtNanos) : null;
        LastFailure last = machine.lastFailure;
        return new CircuitBreakerSnapshot(name, p.state, Instant.ofEpochMilli(p.enteredAtMillis), consecutive,
                StateMachine.saturated(w.calls()), StateMachine.saturated(w.failures()), StateMachine.saturated(w.slowCalls()),
                w.failureRate(), w.slowCallRate(), OutcomeWindow.describe(config), stats.successful(), stats.failed(),
                stats.slow(), stats.rejected(), stats.ignored(), last == null ? null : Instant.ofEpochMilli(last.atMillis),
                last == null ? null : last.details(), next);
    }

    /** When the breaker will next admit a call, if it is OPEN. */
    public Optional<Instant> nextAttempt() {
        return Optional.ofNullable(nextAttemptAt);
    }
}
