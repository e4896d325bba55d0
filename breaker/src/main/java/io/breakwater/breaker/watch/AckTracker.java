package io.breakwater.breaker.watch;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Clock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;

/**
 * An observer's view of calls in flight, for code that sees each call begin and each answer arrive but
 * cannot tell which call an answer belongs to (a Kafka producer interceptor): send times in send order,
 * and the count of acknowledgements seen. When a cluster stalls, acknowledgements stop altogether, so the send
 * time at position {@code acknowledged} is the oldest unanswered one, exactly when it matters. The
 * watchdog counts each record past the in-flight threshold as one failure and leaves a credit, so the
 * late acknowledgement of a record already counted is not counted again. A record waits in line: it is past the
 * threshold once it has waited that long since it was sent and since the last success, so a backlog that the cluster
 * works through, slower than records come, counts as no failure.
 *
 * <p>{@link #sent()} runs on the caller's thread, {@link #acknowledged()} on the producer's network
 * thread: both O(1), no lock, no allocation.
 */
public final class AckTracker implements Runnable {

    private static final VarHandle LAST_SUCCESS;
    private static final VarHandle LAST_MOVE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LAST_SUCCESS = lookup.findVarHandle(AckTracker.class, "lastSuccess", long.class);
            LAST_MOVE = lookup.findVarHandle(AckTracker.class, "lastMove", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int CAPACITY = 1 << 16;
    private static final int MASK = CAPACITY - 1;

    private final CircuitBreaker breaker;
    private final Clock clock;
    private final long epoch;
    private final long inFlightNanos;
    private final String thresholdName;
    private final AtomicLongArray sendTimes = new AtomicLongArray(CAPACITY);
    // position + 1 of the send whose time the slot holds, written after the time: a slot whose stamp is not
    // its position's has not been written yet, and is never read as a send time.
    private final AtomicLongArray stamps = new AtomicLongArray(CAPACITY);
    // Records sent (by callers), records acknowledged (on the network thread), and records the watchdog counted as failed
    // whose acknowledgement has not come yet: in one array, the first 128 bytes from the others and each 128 bytes from
    // the array's header (read by every access, for its bounds check) and end. As AtomicLongs made one after the other,
    // sent and acknowledged share a cache line, which every record would take from the network thread for a caller and
    // back.
    private static final int SENT = 16;
    private static final int ACKNOWLEDGED = 32;
    private static final int CREDITS = 33;
    private final AtomicLongArray counts = new AtomicLongArray(CREDITS + 16);
    // The next position the watchdog has not judged; watchdog thread only.
    private long cursor;
    // When an answer last said success or was the cluster's own refusal (or the tracker was made), relative to epoch:
    // evidence against a stall.
    private volatile long lastSuccess;
    // When an answer last said success (or the tracker was made), relative to epoch: when the line of records last moved.
    private volatile long lastMove;
    // While true, records past the threshold are not counted and nothing stalls.
    private volatile BooleanSupplier excused = () -> false;

    public AckTracker(CircuitBreaker breaker, Clock clock, Duration inFlightThreshold, String thresholdName) {
        this.breaker = breaker;
        this.clock = clock;
        this.epoch = clock.nanoTime() - 1;
        this.inFlightNanos = inFlightThreshold.toNanos();
        this.thresholdName = thresholdName;
    }

    /** A record was handed to the producer. */
    public void sent() {
        long position = counts.getAndIncrement(SENT);
        int index = (int) (position & MASK);
        sendTimes.set(index, clock.nanoTime() - epoch);
        stamps.set(index, position + 1);
    }

    /** A record was answered. True when its outcome is to be recorded; false when the watchdog already did. */
    public boolean acknowledged() {
        counts.incrementAndGet(ACKNOWLEDGED);
        for (;;) {
            long c = counts.get(CREDITS);
            if (c == 0) {
                return true;
            }
            if (counts.compareAndSet(CREDITS, c, c - 1)) {
                return false;
            }
        }
    }

    /** The record answered was a success: evidence for the stall check that the cluster answers, and the line moved. */
    public void succeeded() {
        // Written once a millisecond at most, by a release store (see CallTracker.succeeded): every acknowledgement comes
        // here, and the line it is on holds what every send reads.
        long now = clock.nanoTime() - epoch;
        if (now - lastMove >= CallTracker.SUCCESS_STEP_NANOS) {
            LAST_MOVE.setRelease(this, now);
        }
        answeredAt(now);
    }

    /**
     * The record answered was refused by the cluster for the caller's sake (its credentials, its rights): evidence for
     * the stall check that the cluster answers, but no record went through, so the line did not move.
     */
    public void refusedByCluster() {
        answeredAt(clock.nanoTime() - epoch);
    }

    private void answeredAt(long now) {
        if (now - lastSuccess >= CallTracker.SUCCESS_STEP_NANOS) {
            LAST_SUCCESS.setRelease(this, now);
        }
    }

    /**
     * While {@code condition} holds, records that wait past the in-flight threshold are passed over uncounted and
     * nothing stalls: their wait is known not to be the dependency's (a producer whose credentials the cluster
     * refuses waits in {@code send()} for its next attempt to authenticate).
     */
    public void excuseWhile(BooleanSupplier condition) {
        this.excused = java.util.Objects.requireNonNull(condition, "condition");
    }

    /** Records sent and not yet answered. */
    public long inFlight() {
        return Math.max(0, counts.get(SENT) - counts.get(ACKNOWLEDGED));
    }

    @Override
    public void run() {
        long now = clock.nanoTime() - epoch;
        long limit = counts.get(SENT);
        long c = Math.max(Math.max(cursor, counts.get(ACKNOWLEDGED) + counts.get(CREDITS)), limit - CAPACITY);
        boolean excusedNow = excused.getAsBoolean();
        long moved = lastMove;
        while (c < limit) {
            int index = (int) (c & MASK);
            if (stamps.get(index) != c + 1) {
                break; // counted as sent, time not written yet: it has only just begun
            }
            long sentAt = sendTimes.get(index);
            long age = now - sentAt;
            // Records wait in line in the producer's buffer: one is late once it has waited the threshold since it was
            // sent and since the last success (a backlog that moves is not a failure; see TrackerLimits.inLine). Which
            // records the successes were cannot be told here: a success of any record moves the line of all.
            if (now - Math.max(sentAt, moved) < inFlightNanos || stamps.get(index) != c + 1) {
                break;
            }
            if (!excusedNow) {
                counts.incrementAndGet(CREDITS);
                breaker.recordFailure("no acknowledgement for " + age / 1_000_000 + " ms (" + thresholdName + "="
                        + inFlightNanos / 1_000_000 + ")");
            }
            c++;
        }
        cursor = c;
        if (!excusedNow) {
            checkStall(now, limit);
        }
        breaker.checkTimeouts();
    }

    /**
     * Opens the breaker when the oldest unanswered record has waited the in-flight threshold and no record at
     * all has succeeded in that time: with one caller thread there may be a single record in flight, and it
     * must not take {@code failureThreshold} thresholds to notice a dead cluster.
     */
    private void checkStall(long now, long limit) {
        long success = lastSuccess;
        if (now - success < inFlightNanos) {
            return;
        }
        // The oldest unanswered record sent at or after the last success: records sent before it may be answered
        // out of order, but one sent after it that has waited the threshold means nothing answered since.
        for (long p = Math.max(counts.get(ACKNOWLEDGED), limit - CAPACITY); p < limit; p++) {
            int index = (int) (p & MASK);
            long sentAt = sendTimes.get(index);
            if (stamps.get(index) != p + 1) {
                return;
            }
            if (sentAt - success >= 0) {
                long age = now - sentAt;
                if (age >= inFlightNanos) {
                    breaker.recordStall("no record answered for " + age / 1_000_000 + " ms and none succeeded ("
                            + thresholdName + "=" + inFlightNanos / 1_000_000 + ")");
                }
                return;
            }
        }
    }
}
