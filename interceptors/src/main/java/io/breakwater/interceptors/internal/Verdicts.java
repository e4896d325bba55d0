package io.breakwater.interceptors.internal;

import io.breakwater.interceptors.FailureClassifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Asks a {@link FailureClassifier}, which is user code, without letting what it throws escape. */
public final class Verdicts {

    private static final Logger LOG = LoggerFactory.getLogger(Verdicts.class);

    private Verdicts() {
    }

    /** The classifier's verdict on {@code failure}; a classifier that throws is logged, and the failure counts. */
    public static boolean counts(FailureClassifier classifier, Throwable failure) {
        try {
            return classifier.countsAsFailure(failure);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.warn("Failure classifier {} threw on {}; counting the failure", classifier, failure.getClass().getName(), e);
            return true;
        }
    }
}
