package io.breakwater.breaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The config's recordFailure/ignoreFailure predicates, applied with every throw of theirs contained. */
final class FailurePredicate {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);
    private static final VarHandle WARNED;

    static {
        try {
            WARNED = MethodHandles.lookup().findVarHandle(FailurePredicate.class, "warned", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CircuitBreakerConfig config;
    // Whether a throwing predicate was logged as a warning; later ones go to debug. Set once, by compare-and-set
    // (a field, not an AtomicBoolean: a bus may hold 100,000 breakers).
    private volatile boolean warned;

    FailurePredicate(CircuitBreakerConfig config) {
        this.config = config;
    }

    /**
     * Whether {@code error} counts as a failure. A {@code VirtualMachineError} never does (it says nothing
     * about the dependency). A predicate that throws is contained: the failure counts, and the first such
     * problem is logged.
     */
    boolean counts(Throwable error) {
        if (error instanceof VirtualMachineError) {
            return false;
        }
        try {
            return config.isRecordedFailure(error);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            if (WARNED.compareAndSet(this, false, true)) {
                LOG.warn("Circuit breaker '{}': the recordFailure/ignoreFailure predicate threw on {}; counting it as a "
                        + "failure (later throws are logged at debug level)", config.name(), error.getClass().getName(), e);
            } else {
                LOG.debug("Circuit breaker '{}': the predicate threw again on {}", config.name(), error.getClass().getName(), e);
            }
            return true;
        }
    }
}
