package io.breakwater.breaker.internal;

import io.breakwater.breaker.CircuitBreakerState;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One period in one state. A breaker holds its current phase in an {@code AtomicReference} and moves
 * by compare-and-set from the phase it leaves to a new one, so each transition happens exactly once
 * and an outcome that arrives late can only touch the counters of a phase that is already gone.
 */
public abstract sealed class Phase permits Phase.Closed, Phase.Open, Phase.HalfOpen, Phase.Manual {

    public final CircuitBreakerState state;
    /** Transitions before this phase: 0 for the first phase, then +1 each time. */
    public final long sequence;
    public final long enteredAtNanos;
    public final long enteredAtMillis;
    /** Times the breaker re-opened from HALF_OPEN since it was last CLOSED; drives backoff. */
    public final int reopenCount;

    Phase(CircuitBreakerState state, long sequence, long enteredAtNanos, long enteredAtMillis, int reopenCount) {
        this.state = state;
        this.sequence = sequence;
        this.enteredAtNanos = enteredAtNanos;
        this.enteredAtMillis = enteredAtMillis;
        this.reopenCount = reopenCount;
    }

    /** CLOSED: calls pass; consecutive failures and the window are counted. */
    public static final class Closed extends Phase {
        public final AtomicInteger consecutiveFailures = new AtomicInteger();
        public final OutcomeWindow window;

        public Closed(long sequence, long nanos, long millis, OutcomeWindow window) {
            super(CircuitBreakerState.CLOSED, sequence, nanos, millis, 0);
            this.window = window;
        }
    }

    /** OPEN: calls are rejected until {@link #retryAtNanos}. */
    public static final class Open extends Phase {
        public final long retryAtNanos;

        public Open(long sequence, long nanos, long millis, int reopenCount, long retryAtNanos) {
            super(CircuitBreakerState.OPEN, sequence, nanos, millis, reopenCount);
            this.retryAtNanos = retryAtNanos;
        }
    }

    /** HALF_OPEN: at most {@code maxCalls} trial permits; their outcomes decide. */
    public static final class HalfOpen extends Phase {
        private final int maxCalls;
        // Permits handed out and not given back; never above maxCalls (CAS loop).
        private final AtomicInteger issued = new AtomicInteger();
        public final AtomicInteger successes = new AtomicInteger();
        // When the last permit was handed out; the max wait counts from there.
        private volatile long lastPermitNanos;

        public HalfOpen(long sequence, long nanos, long millis, int reopenCount, int maxCalls) {
            super(CircuitBreakerState.HALF_OPEN, sequence, nanos, millis, reopenCount);
            this.maxCalls = maxCalls;
            this.lastPermitNanos = nanos;
        }

        /** Takes a trial permit if one is free. */
        public boolean tryAcquire(long nowNanos) {
            for (;;) {
                int n = issued.get();
                if (n >= maxCalls) {
                    return false;
                }
                if (issued.compareAndSet(n, n + 1)) {
                    lastPermitNanos = nowNanos;
                    return true;
                }
            }
        }

        /** Gives a permit back (its call was ignored, or never made). */
        public void release() {
            for (;;) {
                int n = issued.get();
                if (n == 0 || issued.compareAndSet(n, n - 1)) {
                    return;
                }
            }
        }

        public int issued() {
            return issued.get();
        }

        /** Every permit is out, and the newest has waited {@code maxWaitNanos} without the phase ending. */
        public boolean trialsExpired(long nowNanos, long maxWaitNanos) {
            return issued.get() >= maxCalls && nowNanos - lastPermitNanos >= maxWaitNanos;
        }

        public long trialsExpireAtNanos(long maxWaitNanos) {
            return lastPermitNanos + maxWaitNanos;
        }
    }

    /** FORCED_OPEN or DISABLED: set by hand, left only by reset. */
    public static final class Manual extends Phase {
        public Manual(CircuitBreakerState state, long sequence, long nanos, long millis) {
            super(state, sequence, nanos, millis, 0);
        }
    }
}
