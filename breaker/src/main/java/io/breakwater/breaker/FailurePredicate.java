package io.breakwater.breaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Predicate;
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

    private final Predicate<Throwable> recordFailure;
    private final Predicate<Throwable> ignoreFailure;
    // Whether a throwing predicate was logged as a warning; later ones go to debug. Set once, by compare-and-set. One
    // instance serves every breaker of one config's settings (a bus's 100,000 streams): a predicate that throws is
    // warned about once for all of them, not once per breaker.
    private volatile boolean warned;

    FailurePredicate(Predicate<Throwable> recordFailure, Predicate<Throwable> ignoreFailure) {
        this.recordFailure = recordFailure;
        this.ignoreFailure = ignoreFailure;
    }

    /** Whether the predicates record {@code error} as a failure: not ignored, and recorded. Throws what they throw. */
    boolean recorded(Throwable error) {
        return !ignoreFailure.test(error) && recordFailure.test(error);
    }

    /**
     * Whether {@code error} counts as a failure. A {@code VirtualMachineError} never does (it says nothing
     * about the dependency). A predicate that throws is contained: the failure counts, and the first such
     * problem is logged, naming {@code breaker}.
     */
    boolean counts(String breaker, Throwable error) {
        if (error instanceof VirtualMachineError) {
            return false;
        }
        try {
            return recorded(error);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            if (WARNED.compareAndSet(this, false, true)) {
                LOG.warn("Circuit breaker '{}': the recordFailure/ignoreFailure predicate threw on {}; counting it as a "
                        + "failure (later throws, of any breaker of its config, are logged at debug level)", breaker,
                        error.getClass().getName(), e);
            } else {
                LOG.debug("Circuit breaker '{}': the predicate threw again on {}", breaker, error.getClass().getName(), e);
            }
            return true;
        }
    }
}
