package io.breakwater.breaker;

import static io.breakwater.breaker.Texts.human;
import static io.breakwater.breaker.Texts.percent;

import io.breakwater.breaker.internal.CallCounters;
import io.breakwater.breaker.internal.Outcome;
import io.breakwater.breaker.internal.OutcomeWindow;
import io.breakwater.breaker.internal.TransitionDispatcher;
import io.breakwater.breaker.internal.WindowTotals;
import java.time.Duration;

/**
 * The rules of one breaker: which calls are permitted, what each outcome does, and every transition.
 * Lock-free: the current {@link Phase} is swapped by compare-and-set from the phase being left, and each
 * transition is handed to the dispatcher once, after the swap.
 */
final class StateMachine {

    private final CircuitBreakerConfig config;
    private final String name;
    private final Clock clock;
    private final boolean timeWindow;
    private final long slowCallNanos;
    private final boolean slowTrials;
    private final boolean stackTraces; // the config's, read by every refusal: one load, not two
    private final long halfOpenMaxWaitNanos;
    // Holds the current phase: the breaker itself.
    private final PhaseCell cell;
    final TransitionDispatcher dispatcher = new TransitionDispatcher(1);
    // Every change of phase goes through here.
    final Transitions moves;
    final CallCounters counters = new CallCounters();
    // The last recorded failure; replaced whole, never mutated.
    volatile LastFailure lastFailure;
    private final FailurePredicate predicate;

    StateMachine(CircuitBreakerConfig config, PhaseCell cell) {
        this.config = config;
        this.name = config.name();
        this.clock = config.clock();
        this.timeWindow = config.windowDuration().isPresent();
        this.slowCallNanos = config.slowCallDuration().map(Duration::toNanos).orElse(Long.MAX_VALUE);
        this.slowTrials = config.slowCallRateThreshold().isPresent();
        this.stackTraces = config.writableStackTrace();
        this.halfOpenMaxWaitNanos = config.halfOpenMaxWait().toNanos();
        this.cell = cell;
        cell.firstPhase(new Phase.Closed(0, clock.nanoTime(), clock.currentTimeMillis(), OutcomeWindow.create(config)));
        this.predicate = config.s.predicate;
        this.moves = new Transitions(config, this, dispatcher);
    }

    Phase current() {
        return cell.phase;
    }

    /** Moves from phase {@code from} to {@code to}; false when the phase is {@code from} no longer. */
    boolean replace(Phase from, Phase to) {
        return cell.replacePhase(from, to);
    }

    Permit acquire() {
        Phase p = cell.phase;
        if (p instanceof Phase.Closed closed) {
            return closed.permit;
        }
        return acquire(p);
    }

    private Permit acquire(Phase p) {
        for (;;) {
            if (p instanceof Phase.Closed closed) {
                return closed.permit;
            }
            if (p instanceof Phase.Open open) {
                // The coarse clock is never ahead: a call it refuses is at most a tick early.
                if (clock.coarseNanoTime() - open.retryAtNanos < 0) {
                    counters.increment(CallCounters.REJECTED);
                    return null;
                }
                moves.toHalfOpen(open, clock.nanoTime());
            } else if (p instanceof Phase.HalfOpen half) {
                long now = clock.nanoTime();
                if (half.trialsExpired(now, halfOpenMaxWaitNanos)) {
                    expireTrials(half, now);
                } else {
                    Permit permit = half.tryAcquire(now);
                    if (permit == null) {
                        counters.increment(CallCounters.REJECTED);
                    }
                    return permit;
                }
            } else {
                Phase.Manual manual = (Phase.Manual) p;
                if (manual.permit == null) {
                    counters.increment(CallCounters.REJECTED);
                }
                return manual.permit;
            }
            p = cell.phase;
        }
    }

    /** Gives back a permit whose call was never made; null means the oldest trial permit held. */
    void release(Permit permit) {
        Phase p = cell.phase;
        if (p instanceof Phase.HalfOpen half) {
            if (permit == null) {
                // The oldest held trial; if another thread answers it first, the next oldest.
                for (int oldest = half.oldestHeld(); oldest != Permit.NO_SLOT && !half.release(oldest); ) {
                    oldest = half.oldestHeld();
                }
            } else if (permit.phase == half) {
                half.release(permit.slot);
            }
        }
    }

    void checkTimeouts() {
        Phase p = cell.phase;
        long now = clock.nanoTime();
        if (p instanceof Phase.Open open && now - open.retryAtNanos >= 0) {
            moves.toHalfOpen(open, now);
        } else if (p instanceof Phase.HalfOpen half && half.trialsExpired(now, halfOpenMaxWaitNanos)) {
            expireTrials(half, now);
        }
    }

    private void expireTrials(Phase.HalfOpen half, long now) {
        moves.reopen(half, now, half.held() + " trial call(s) unanswered after " + human(config.halfOpenMaxWait()));
    }

    /** A success; {@code permit} null for an outcome reported without one (it answers the oldest trial). */
    void success(Permit permit, long durationNanos) {
        Phase p = cell.phase;
        if (p.state == CircuitBreakerState.DISABLED) {
            return;
        }
        boolean slow = durationNanos >= slowCallNanos;
        counters.increment(CallCounters.SUCCESSFUL);
        if (durationNanos > 0) {
            counters.add(CallCounters.SUCCESSFUL_NANOS, durationNanos);
        }
        if (slow) {
            counters.increment(CallCounters.SLOW);
        }
        if (permit != null && permit.phase != p) {
            return; // a late answer from an earlier period: statistics only
        }
        if (p instanceof Phase.Closed closed) {
            closed.succeeded();
            long now = windowNanos();
            long calls = closed.window.record(slow ? Outcome.SLOW_SUCCESS : Outcome.SUCCESS, now);
            // A plain success lowers both rates unless old outcomes left the window (time window) or it
            // makes the window hold minimumCalls for the first time: only then can the rules newly hold.
            if (slow || calls < 0 || calls == config.minimumCalls()) {
                checkRates(closed, now);
            }
        } else if (p instanceof Phase.HalfOpen half) {
            if (!answer(half, permit)) {
                return;
            }
            if (slow && slowTrials) {
                moves.reopen(half, clock.nanoTime(), "trial call was slow (" + human(Duration.ofNanos(durationNanos)) + ")");
            } else {
                int successes = half.succeeded();
                if (successes == config.successThreshold()) {
                    moves.toClosed(half, successes + " trial call(s) succeeded");
                }
            }
        }
    }

    /** Marks the trial answered; false when its permit was answered already (the outcome then decides nothing). */
    private static boolean answer(Phase.HalfOpen half, Permit permit) {
        if (permit != null) {
            return half.answer(permit.slot);
        }
        for (;;) {
            int oldest = half.oldestHeld();
            if (oldest == Permit.NO_SLOT) {
                return true; // nobody holds a permit (an observer reports): the outcome still counts
            }
            if (half.answer(oldest)) {
                return true;
            }
        }
    }

    /** A failure of {@code error} (or described by {@code details}); counts only if the config's rules say so. */
    void failure(Permit permit, Throwable error, String details, long durationNanos) {
        Phase p = cell.phase;
        if (p.state == CircuitBreakerState.DISABLED) {
            return;
        }
        if (error != null && !predicate.counts(name, error)) {
            ignored(permit);
            return;
        }
        boolean slow = durationNanos >= slowCallNanos;
        counters.increment(CallCounters.FAILED);
        if (durationNanos > 0) {
            counters.add(CallCounters.FAILED_NANOS, durationNanos);
        }
        if (slow) {
            counters.increment(CallCounters.SLOW);
        }
        LastFailure last = new LastFailure(clock.currentTimeMillis(), error, details);
        lastFailure = last;
        if (permit != null && permit.phase != p) {
            return;
        }
        if (p instanceof Phase.Closed closed) {
            int consecutive = closed.failed();
            long now = windowNanos();
            closed.window.record(slow ? Outcome.SLOW_FAILURE : Outcome.FAILURE, now);
            if (consecutive >= config.failureThreshold()) {
                moves.trip(closed, clock.nanoTime(), consecutive + " consecutive failure(s)", closed.window.totals(now));
            } else {
                checkRates(closed, now);
            }
        } else if (p instanceof Phase.HalfOpen half && answer(half, permit)) {
            moves.reopen(half, clock.nanoTime(), "trial call failed: " + last.details());
        }
    }

    /** The dependency answers nothing while calls wait: a CLOSED breaker opens now, whatever its counts. */
    void stalled(String details) {
        if (cell.phase instanceof Phase.Closed closed) {
            lastFailure = new LastFailure(clock.currentTimeMillis(), null, details);
            moves.trip(closed, clock.nanoTime(), "stalled: " + details, closed.window.totals(windowNanos()));
        }
    }

    /** The exception for a call refused now: names the breaker and when it next admits a call. */
    CircuitBreakerOpenException openException() {
        Phase p = cell.phase;
        java.time.Instant next = null;
        long waitNanos = -1;
        if (p instanceof Phase.Open open) {
            // Fixed for the whole period: made once, so that a refusal makes only its exception. The wait is read off
            // the coarse clock, never ahead: a refusal reads no wall clock, and its message's wait is a tick long at most.
            next = open.retryAt;
            if (next == null) {
                next = clock.toInstant(open.retryAtNanos);
                open.retryAt = next;
            }
            waitNanos = Math.max(0, open.retryAtNanos - clock.coarseNanoTime());
        } else if (p instanceof Phase.HalfOpen half) {
            long at = half.trialsExpireAtNanos(halfOpenMaxWaitNanos);
            next = at == Long.MIN_VALUE ? null : clock.toInstant(at);
        }
        return CircuitBreakerOpenException.refused(name, p.state, next, waitNanos, stackTraces);
    }

    /** An outcome that does not count: in HALF_OPEN its trial permit is given back. */
    void ignored(Permit permit) {
        Phase p = cell.phase;
        if (p.state == CircuitBreakerState.DISABLED) {
            return;
        }
        counters.increment(CallCounters.IGNORED);
        release(permit);
    }

    /** The time the windows go by: the coarse clock, for a time window; nothing (0) for a count window. */
    long windowNanos() {
        return timeWindow ? clock.coarseNanoTime() : 0L;
    }

    /** Opens the breaker if a rate rule holds over the window as of {@code windowNanos}. */
    private void checkRates(Phase.Closed closed, long windowNanos) {
        if (!config.hasWindow()) {
            return;
        }
        WindowTotals totals = closed.window.totals(windowNanos);
        if (totals.calls() < config.minimumCalls()) {
            return;
        }
        double failureLimit = config.failureRateThreshold().orElse(Double.NaN);
        if (totals.failureRate() >= failureLimit) {
            moves.trip(closed, clock.nanoTime(), "failure rate " + percent(totals.failureRate()) + " >= " + percent(failureLimit)
                    + " over the " + closed.window.describe() + " (" + totals.failures() + " of " + totals.calls() + ")",
                    totals);
            return;
        }
        double slowLimit = config.slowCallRateThreshold().orElse(Double.NaN);
        if (totals.slowCallRate() >= slowLimit) {
            moves.trip(closed, clock.nanoTime(), "slow-call rate " + percent(totals.slowCallRate()) + " >= " + percent(slowLimit)
                    + " over the " + closed.window.describe() + " (" + totals.slowCalls() + " of " + totals.calls()
                    + " took >= " + human(config.slowCallDuration().orElseThrow()) + ")", totals);
        }
    }

    static int saturated(long count) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, count));
    }
}
