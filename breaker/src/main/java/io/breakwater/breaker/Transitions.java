package io.breakwater.breaker;

import static io.breakwater.breaker.Texts.human;

import io.breakwater.breaker.internal.OutcomeWindow;
import io.breakwater.breaker.internal.TransitionDispatcher;
import io.breakwater.breaker.internal.WindowTotals;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change of phase of one breaker: the legal moves in one place. Each is one compare-and-set from the
 * phase being left; the winner builds the {@link StateTransition}, logs it and hands it to the dispatcher,
 * after the swap and outside any lock.
 */
final class Transitions {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);

    private final CircuitBreakerConfig config;
    private final String name;
    private final Clock clock;
    // Holds the phase (and the last failure) that these moves replace.
    private final StateMachine machine;
    private final TransitionDispatcher dispatcher;

    Transitions(CircuitBreakerConfig config, StateMachine machine, TransitionDispatcher dispatcher) {
        this.config = config;
        this.name = config.name();
        this.clock = config.clock();
        this.machine = machine;
        this.dispatcher = dispatcher;
    }


    void manual(CircuitBreakerState state, String reason) {
        requireReason(reason);
        for (;;) {
            Phase p = machine.current();
            if (p.state == state) {
                return;
            }
            Phase next = new Phase.Manual(state, p.sequence + 1, clock.nanoTime(), clock.currentTimeMillis());
            if (transition(p, next, reason, totalsOf(p))) {
                return;
            }
        }
    }

    /** Back to CLOSED with empty counters and no backoff; nothing at all when already CLOSED. */
    void reset(String reason) {
        requireReason(reason);
        for (;;) {
            Phase p = machine.current();
            if (p.state == CircuitBreakerState.CLOSED || transition(p, closed(p.sequence + 1), reason, totalsOf(p))) {
                return;
            }
        }
    }

    /** A reason given by a caller of forceOpen, disable or reset: a sentence, not null or blank. */
    private static void requireReason(String reason) {
        java.util.Objects.requireNonNull(reason, "reason");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("reason must not be blank, but was '" + reason + "'");
        }
    }

    /**
     * Starts from {@code restored} instead of the first CLOSED phase, if no transition has happened yet.
     * {@code announce}: the breaker is already in use, so listeners hear of it as a transition.
     */
    boolean restore(Phase restored, boolean announce, String reason) {
        Phase first = machine.current();
        if (first.sequence != 0 || !(first instanceof Phase.Closed)) {
            return false;
        }
        if (!announce) {
            return machine.replace(first, restored);
        }
        return transition(first, restored, reason, WindowTotals.EMPTY);
    }


    Phase.Closed closed(long sequence) {
        return new Phase.Closed(sequence, clock.nanoTime(), clock.currentTimeMillis(), OutcomeWindow.create(config));
    }

    void trip(Phase.Closed closed, long now, String reason, WindowTotals totals) {
        Phase.Open open = new Phase.Open(closed.sequence + 1, now, clock.currentTimeMillis(), 0, now + openWaitNanos(0));
        long failures = Math.max(totals.failures(), closed.consecutiveFailures());
        transition(closed, open, reason, new WindowTotals(Math.max(totals.calls(), failures), failures, totals.slowCalls()));
    }

    void reopen(Phase.HalfOpen half, long now, String reason) {
        int reopenCount = half.reopenCount + 1;
        Phase.Open open = new Phase.Open(half.sequence + 1, now, clock.currentTimeMillis(), reopenCount,
                now + openWaitNanos(reopenCount));
        transition(half, open, reason, new WindowTotals(half.successes() + 1L, 1, 0));
    }

    void toHalfOpen(Phase.Open open, long now) {
        Phase.HalfOpen half = new Phase.HalfOpen(open.sequence + 1, now, clock.currentTimeMillis(), open.reopenCount,
                config.halfOpenMaxCalls());
        transition(open, half, "reset timeout of " + human(Duration.ofNanos(open.retryAtNanos - open.enteredAtNanos))
                + " elapsed", WindowTotals.EMPTY);
    }

    void toClosed(Phase.HalfOpen half, String reason) {
        transition(half, closed(half.sequence + 1), reason, totalsOf(half));
    }

    WindowTotals totalsOf(Phase p) {
        if (p instanceof Phase.Closed closed) {
            return closed.window.totals(config.windowDuration().isPresent() ? clock.coarseNanoTime() : 0L);
        }
        if (p instanceof Phase.HalfOpen half) {
            return new WindowTotals(half.successes(), 0, 0);
        }
        return WindowTotals.EMPTY;
    }

    /**
     * How long OPEN lasts after {@code reopenCount} re-opens: the reset timeout times the backoff
     * multiplier per re-open, capped at {@code maxResetTimeout}, then spread by the jitter. A
     * {@code maxResetTimeout} set by hand bounds every wait, jitter included (the spread then falls below it).
     */
    long openWaitNanos(int reopenCount) {
        double max = config.maxResetTimeout().toNanos();
        double wait = Math.min(config.resetTimeout().toNanos() * Math.pow(config.backoffMultiplier(), reopenCount), max);
        if (config.jitter() > 0) {
            wait *= 1.0 + config.jitter() * (2.0 * ThreadLocalRandom.current().nextDouble() - 1.0);
            if (config.s.maxResetTimeout != null) {
                wait = Math.min(wait, max);
            }
        }
        return Math.max(1L, (long) wait);
    }

    private boolean transition(Phase from, Phase to, String reason, WindowTotals totals) {
        // Built before the swap, so that once the swap is made nothing stands between it and its delivery.
        LastFailure last = machine.lastFailure;
        StateTransition t = new StateTransition(name, from.state, to.state, Instant.ofEpochMilli(to.enteredAtMillis),
                reason, to.sequence, totals.failureRate(), totals.slowCallRate(), StateMachine.saturated(totals.failures()),
                StateMachine.saturated(totals.calls() - totals.failures()), last == null ? null : last.details());
        if (!machine.replace(from, to)) {
            return false;
        }
        try {
            if (to.state.rejectsCalls()) {
                LOG.warn("Circuit breaker '{}' {} -> {}: {}", name, from.state, to.state, reason);
            } else {
                LOG.info("Circuit breaker '{}' {} -> {}: {}", name, from.state, to.state, reason);
            }
        } finally {
            dispatcher.publish(t);
        }
        return true;
    }
}
