package io.breakwater.breaker.internal;

/** The outcome of one call, as the windows store it: a small int, never an object. */
public final class Outcome {
    /** A success that was not slow. */
    public static final int SUCCESS = 1;
    /** A failure that was not slow. */
    public static final int FAILURE = 2;
    /** A success that took at least the slow-call duration. */
    public static final int SLOW_SUCCESS = 3;
    /** A failure that took at least the slow-call duration. */
    public static final int SLOW_FAILURE = 4;

    private Outcome() {
    }

    public static int of(boolean failed, boolean slow) {
        if (failed) {
            return slow ? SLOW_FAILURE : FAILURE;
        }
        return slow ? SLOW_SUCCESS : SUCCESS;
    }

    public static boolean isFailure(int outcome) {
        return outcome == FAILURE || outcome == SLOW_FAILURE;
    }

    public static boolean isSlow(int outcome) {
        return outcome == SLOW_SUCCESS || outcome == SLOW_FAILURE;
    }
}
