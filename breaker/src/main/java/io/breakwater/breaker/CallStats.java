package io.breakwater.breaker;

import io.breakwater.breaker.internal.CallCounters;

/**
 * Lifetime call counts of a breaker, and the total time of the calls whose duration was reported.
 *
 * @param successful      successful calls
 * @param failed          failed calls that counted
 * @param slow            calls that took at least the slow-call duration (successful or failed)
 * @param rejected        calls refused
 * @param ignored         failures that did not count
 * @param successfulNanos total duration of the successful calls that reported one
 * @param failedNanos     total duration of the failed calls that reported one
 */
public record CallStats(long successful, long failed, long slow, long rejected, long ignored,
                        long successfulNanos, long failedNanos) {

    static CallStats of(CallCounters c) {
        return new CallStats(c.sum(CallCounters.SUCCESSFUL), c.sum(CallCounters.FAILED), c.sum(CallCounters.SLOW),
                c.sum(CallCounters.REJECTED), c.sum(CallCounters.IGNORED), c.sum(CallCounters.SUCCESSFUL_NANOS),
                c.sum(CallCounters.FAILED_NANOS));
    }
}
