package io.breakwater.breaker;

import io.breakwater.breaker.internal.OutcomeWindow;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One period in one state. A breaker holds its current phase in a volatile field ({@link PhaseCell}) and moves by
 * compare-and-set from the phase it leaves to a new one, so each transition happens exactly once. Every
 * {@link Permit} names the phase that granted it: an outcome whose permit names an older phase (a late
 * answer) updates the lifetime counters only and never decides anything about the current phase.
 */
abstract sealed class Phase permits Phase.Closed, Phase.Open, Phase.HalfOpen, Phase.Manual {

    final CircuitBreakerState state;
    /** Transitions before this phase: 0 for the first phase, then +1 each time. */
    final long sequence;
    final long enteredAtNanos;
    final long enteredAtMillis;
    /** Times the breaker re-opened from HALF_OPEN since it was last CLOSED; drives backoff. */
    final int reopenCount;
    Phase(CircuitBreakerState state, long sequence, long enteredAtNanos, long enteredAtMillis, int reopenCount) {
        this.state = state;
        this.sequence = sequence;
        this.enteredAtNanos = enteredAtNanos;
        this.enteredAtMillis = enteredAtMillis;
        this.reopenCount = reopenCount;
    }

    /** CLOSED: calls pass, all under one shared permit; consecutive failures and the window are counted. */
    static final class Closed extends Phase {
        private static final VarHandle CONSECUTIVE_FAILURES;

        static {
            try {
                CONSECUTIVE_FAILURES = MethodHandles.lookup().findVarHandle(Closed.class, "consecutiveFailures", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Permit permit = new Permit(this, Permit.NO_SLOT);
        final OutcomeWindow window;
        // Failures in a row; reset by a success. Outcome threads update it without a lock (CONSECUTIVE_FAILURES).
        private volatile int consecutiveFailures;

        Closed(long sequence, long nanos, long millis, OutcomeWindow window) {
            super(CircuitBreakerState.CLOSED, sequence, nanos, millis, 0);
            this.window = window;
        }

        int consecutiveFailures() {
            return consecutiveFailures;
        }

        int failed() {
            return (int) CONSECUTIVE_FAILURES.getAndAdd(this, 1) + 1;
        }

        void succeeded() {
            if (consecutiveFailures != 0) {
                consecutiveFailures = 0;
            }
        }
    }

    /** OPEN: calls are rejected until {@link #retryAtNanos}. */
    static final class Open extends Phase {
        final long retryAtNanos;
        /**
         * {@code retryAtNanos} as an instant, once a refusal made it. A plain field: an {@code Instant} is immutable
         * (final fields), so a racing reader sees null, and makes the same value itself, or a whole one.
         */
        java.time.Instant retryAt;

        Open(long sequence, long nanos, long millis, int reopenCount, long retryAtNanos) {
            super(CircuitBreakerState.OPEN, sequence, nanos, millis, reopenCount);
            this.retryAtNanos = retryAtNanos;
        }
    }

    /**
     * HALF_OPEN: one slot per trial permit. A slot is free, held since a time, or answered; a held slot
     * goes back to free when its call is ignored or never made, and to answered on a success. Any slot held
     * for {@code halfOpenMaxWait} expires the trials. Slots change by compare-and-set only.
     */
    static final class HalfOpen extends Phase {
        private static final long FREE = 0L;
        private static final long ANSWERED = -1L;

        // FREE, ANSWERED, or (nanos the permit was granted - enteredAtNanos + 1) while held.
        private final AtomicLongArray slots;
        private final AtomicInteger successes = new AtomicInteger();

        HalfOpen(long sequence, long nanos, long millis, int reopenCount, int maxCalls) {
            super(CircuitBreakerState.HALF_OPEN, sequence, nanos, millis, reopenCount);
            this.slots = new AtomicLongArray(maxCalls);
        }

        /** Takes a free trial permit, or returns null when every slot is held or answered. */
        Permit tryAcquire(long nowNanos) {
            long held = Math.max(1L, nowNanos - enteredAtNanos + 1);
            for (int i = 0; i < slots.length(); i++) {
                if (slots.get(i) == FREE && slots.compareAndSet(i, FREE, held)) {
                    return new Permit(this, i);
                }
            }
            return null;
        }

        /** Marks {@code slot} answered; true if it was held (so this answer is the one that counts). */
        boolean answer(int slot) {
            for (;;) {
                long v = slots.get(slot);
                if (v <= 0) {
                    return false;
                }
                if (slots.compareAndSet(slot, v, ANSWERED)) {
                    return true;
                }
            }
        }

        /** Frees {@code slot} if held (its call was ignored or never made); false if it was not held. */
        boolean release(int slot) {
            for (;;) {
                long v = slots.get(slot);
                if (v <= 0) {
                    return false;
                }
                if (slots.compareAndSet(slot, v, FREE)) {
                    return true;
                }
            }
        }

        /** The held slot granted longest ago, or {@link Permit#NO_SLOT} when none is held. */
        int oldestHeld() {
            int oldest = Permit.NO_SLOT;
            long oldestAt = Long.MAX_VALUE;
            for (int i = 0; i < slots.length(); i++) {
                long v = slots.get(i);
                if (v > 0 && v < oldestAt) {
                    oldestAt = v;
                    oldest = i;
                }
            }
            return oldest;
        }

        /** Counts one successful trial; returns the successes so far. */
        int succeeded() {
            return successes.incrementAndGet();
        }

        int successes() {
            return successes.get();
        }

        /** Held permits. */
        int held() {
            int n = 0;
            for (int i = 0; i < slots.length(); i++) {
                if (slots.get(i) > 0) {
                    n++;
                }
            }
            return n;
        }

        /** When the oldest held permit expires, or {@code Long.MIN_VALUE} when none is held. */
        long trialsExpireAtNanos(long maxWaitNanos) {
            // One read per slot: the grant time used is the one seen held, whatever happens to the slot next.
            long oldestAt = Long.MAX_VALUE;
            for (int i = 0; i < slots.length(); i++) {
                long v = slots.get(i);
                if (v > 0 && v < oldestAt) {
                    oldestAt = v;
                }
            }
            return oldestAt == Long.MAX_VALUE ? Long.MIN_VALUE : enteredAtNanos + oldestAt - 1 + maxWaitNanos;
        }

        /** Whether some permit has been held for {@code maxWaitNanos} or more. */
        boolean trialsExpired(long nowNanos, long maxWaitNanos) {
            long at = trialsExpireAtNanos(maxWaitNanos);
            return at != Long.MIN_VALUE && nowNanos - at >= 0;
        }
    }

    /** FORCED_OPEN or DISABLED: set by hand. DISABLED grants every call under one shared permit. */
    static final class Manual extends Phase {
        final Permit permit;

        Manual(CircuitBreakerState state, long sequence, long nanos, long millis) {
            super(state, sequence, nanos, millis, 0);
            this.permit = state == CircuitBreakerState.DISABLED ? new Permit(this, Permit.NO_SLOT) : null;
        }
    }
}
