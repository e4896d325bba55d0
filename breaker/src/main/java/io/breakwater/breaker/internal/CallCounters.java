package io.breakwater.breaker.internal;

import java.util.concurrent.atomic.LongAdder;

/** Lifetime call counts of one breaker, for snapshots and metrics. Striped: no contention, no lock. */
public final class CallCounters {
    public final LongAdder successful = new LongAdder();
    public final LongAdder failed = new LongAdder();
    public final LongAdder slow = new LongAdder();
    public final LongAdder rejected = new LongAdder();
    public final LongAdder ignored = new LongAdder();
    // Total time of the successful and failed calls whose duration was reported.
    public final LongAdder successfulNanos = new LongAdder();
    public final LongAdder failedNanos = new LongAdder();
}
