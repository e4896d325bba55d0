package io.breakwater.breaker;

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
}
