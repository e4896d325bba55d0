package io.breakwater.consumer.internal;

import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.GuardClosedException;
import io.breakwater.breaker.Throwables;

/** What kind of failure a handler's (or a failed-record handler's) exception is, for the loop. */
final class FailureKinds {

    private FailureKinds() {
    }

    /**
     * Whether {@code failure} ends the loop: an {@code Error} (out of memory, a class that cannot load after a bad
     * deploy, a failed assertion) says the code or the VM is broken, not the record, and handing every record over
     * would lose them all. A {@code StackOverflowError} is the one exception: the record's failure (see
     * {@code RecordSteps.counts}).
     */
    static boolean isFatal(Throwable failure) {
        return failure instanceof Error && !(failure instanceof StackOverflowError);
    }

    /**
     * Whether the loop's thread was interrupted: {@code failure} is an interrupt (unwrapped from an
     * {@code ExecutionException} or {@code CompletionException}), or the thread's interrupt flag is set, as a handler
     * that keeps the interrupt and throws something else leaves it (and HikariCP, interrupted waiting for a connection).
     * An interrupt deeper among the causes may be another thread's (a worker pool shut down): that is the handler's
     * failure, not a stop of the loop.
     */
    static boolean isInterrupt(Throwable failure) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        Throwable t = Throwables.unwrap(failure);
        return t instanceof InterruptedException || t instanceof org.apache.kafka.common.errors.InterruptException
                || t instanceof java.nio.channels.ClosedByInterruptException;
    }

    /**
     * Whether {@code failure} is a breaker's refusal, or a closed guard's (an application stopping, its pool closed before
     * the consumer): a {@code CircuitBreakerOpenException} or a {@code GuardClosedException}, or one caused by either (a
     * guarded DataSource wraps them in a {@code SQLException}). No attempt at the record: the loop backs off, it comes again.
     */
    static boolean isRefusal(Throwable failure) {
        return refusal(failure) != null;
    }

    /** The refusal {@link #isRefusal} found in {@code t}, or null. */
    static Throwable refusal(Throwable t) {
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof CircuitBreakerOpenException || t instanceof GuardClosedException) {
                return t;
            }
        }
        return null;
    }
}
