package io.breakwater.breaker;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The config's recordFailure/ignoreFailure predicates, applied with every throw of theirs contained. */
final class FailurePredicate {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);

    private final CircuitBreakerConfig config;
    // Whether a throwing predicate was logged as a warning; later ones go to debug.
    private final AtomicBoolean warned = new AtomicBoolean();

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
            if (warned.compareAndSet(false, true)) {
                LOG.warn("Circuit breaker '{}': the recordFailure/ignoreFailure predicate threw on {}; counting it as a "
                        + "failure (later throws are logged at debug level)", config.name(), error.getClass().getName(), e);
            } else {
                LOG.debug("Circuit breaker '{}': the predicate threw again on {}", config.name(), error.getClass().getName(), e);
            }
            return true;
        }
    }
}
