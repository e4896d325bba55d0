package io.breakwater.breaker;

import io.breakwater.breaker.internal.CallCounters;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The call wrappers of one breaker: ask, run, record with the permit, and complete every future on every
 * path. The clock is read around a call only when a slow-call duration needs it (null clock): two clock
 * reads cost more than the rest of a call through the breaker.
 */
final class Calls {

    private final CircuitBreaker breaker;
    private final StateMachine machine;
    private final Clock timer;
    // The breaker's clock, for a refusal's look at the retry time.
    private final Clock clock;

    Calls(CircuitBreaker breaker, StateMachine machine, Clock timer) {
        this.breaker = breaker;
        this.machine = machine;
        this.timer = timer;
        this.clock = breaker.config().clock();
    }

    <T> T call(Callable<T> callable) throws Exception {
        Permit permit = machine.acquire();
        if (permit == null) {
            throw breaker.openException();
        }
        long start = timer != null ? timer.nanoTime() : 0L;
        T result;
        try {
            result = callable.call();
        } catch (Throwable t) {
            machine.failure(permit, t, null, elapsedSince(start));
            throw t;
        }
        machine.success(permit, elapsedSince(start));
        return result;
    }

    <T> T execute(Supplier<T> supplier) {
        Permit permit = machine.acquire();
        if (permit == null) {
            throw breaker.openException();
        }
        long start = timer != null ? timer.nanoTime() : 0L;
        T result;
        try {
            result = supplier.get();
        } catch (Throwable t) {
            machine.failure(permit, t, null, elapsedSince(start));
            throw t;
        }
        machine.success(permit, elapsedSince(start));
        return result;
    }

    <T> CompletableFuture<T> executeAsync(Supplier<? extends CompletionStage<T>> supplier) {
        Permit permit = machine.acquire();
        if (permit == null) {
            return CompletableFuture.failedFuture(breaker.openException());
        }
        long start = timer != null ? timer.nanoTime() : 0L;
        CompletionStage<T> stage;
        try {
            stage = supplier.get();
        } catch (Throwable t) {
            machine.failure(permit, t, null, elapsedSince(start));
            return CompletableFuture.failedFuture(t);
        }
        if (stage == null) {
            machine.release(permit);
            return CompletableFuture.failedFuture(new NullPointerException("executeAsync: the supplier returned null"));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        // handle, not whenComplete: its stage, which nothing reads, would wrap a failure (a stack trace per call).
        stage.handle((value, error) -> {
            try {
                if (error == null) {
                    machine.success(permit, elapsedSince(start));
                } else {
                    machine.failure(permit, Throwables.unwrap(error), null, elapsedSince(start));
                }
            } finally {
                if (error == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(error);
                }
            }
            return null;
        });
        return result;
    }

    /**
     * A refusal when the breaker refuses every call now (OPEN before its retry time, FORCED_OPEN), counted as a refused
     * permit is; else null. It takes no permit and moves no state: in HALF_OPEN, or once the retry time is due, the
     * call's own permit decides, on the thread that asks for it (a trial slot taken here even for a moment could
     * refuse a real call).
     */
    CircuitBreakerOpenException refusal() {
        if (!refuses()) {
            return null;
        }
        machine.counters.increment(CallCounters.REJECTED);
        return breaker.openException();
    }

    /** Whether every call is refused now (OPEN before its retry time, FORCED_OPEN): counts nothing, takes no permit. */
    boolean refuses() {
        Phase p = breaker.phase;
        return p instanceof Phase.Open open ? clock.coarseNanoTime() - open.retryAtNanos < 0
                : p instanceof Phase.Manual manual && manual.permit == null;
    }

    /** Nanoseconds since {@code start}, or -1 (unknown) when calls are not timed. */
    private long elapsedSince(long start) {
        return timer != null ? timer.nanoTime() - start : -1L;
    }
}
