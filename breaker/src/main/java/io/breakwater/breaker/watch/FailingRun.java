package io.breakwater.breaker.watch;

import java.util.concurrent.TimeUnit;

/**
 * The failing run of a {@link CallTracker}: calls that followed each other with gaps of at most
 * {@link CallTracker#RUN_GAP_MILLIS} ms, each failing (in a way that counts) or still unanswered, from the start of
 * the first to the end of the last (now, while one is pending). The watchdog thread's alone.
 */
final class FailingRun {

    private static final long NONE = Long.MIN_VALUE;
    private static final long GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(CallTracker.RUN_GAP_MILLIS);

    private long start = NONE;
    private long end = NONE;

    /** A success, or a failure that does not count, came at {@code floor} (NONE: none yet): a run begun before it is over. */
    void endBefore(long floor) {
        if (start != NONE && floor != NONE && start - floor < 0) {
            start = NONE;
        }
    }

    /**
     * Adds a call that covered {@code from} to {@code to}: true when it belongs to the run now (a call that ended more
     * than a gap before the run began is of an older run, and left out).
     */
    boolean join(long from, long to) {
        if (start != NONE && to - (start - GAP_NANOS) < 0) {
            return false;
        }
        if (start == NONE || from - (end + GAP_NANOS) > 0) {
            start = from;
            end = to;
        } else {
            if (from - start < 0) {
                start = from;
            }
            if (to - end > 0) {
                end = to;
            }
        }
        return true;
    }

    /** How long the run has lasted, or -1 when there is none. */
    long length() {
        return start == NONE ? -1 : end - start;
    }
}
