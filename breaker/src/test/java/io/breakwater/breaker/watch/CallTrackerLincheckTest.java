package io.breakwater.breaker.watch;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Callers begin calls, the network answers them, and the watchdog ticks while time moves, all at once, on a
 * tracker smaller than the calls: every run must be explained by some order of the same operations. In
 * particular each call is settled once (its answer wins, or its expiry does, never both), a call is never
 * expired before its threshold, and a slot being reused is never read as an old call.
 */
@Param(name = "call", gen = IntGen.class, conf = "0:2")
public class CallTrackerLincheckTest {

    private static final Duration BLOCK = Duration.ofSeconds(1);
    private static final Duration ANSWER = Duration.ofSeconds(2);

    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger expired = new AtomicInteger();
    private final CallTracker tracker = tracker(now::get);

    /** The tracker under test: two slots, fewer than the calls. */
    CallTracker tracker(java.util.function.LongSupplier clock) {
        return new CallTracker("lincheck", new TrackerLimits(clock, BLOCK, ANSWER, 2, false, 2));
    }
    private final AtomicReferenceArray<TrackedCall> begun = new AtomicReferenceArray<>(3);
    private final ReentrantReadWriteLock time = new ReentrantReadWriteLock();

    private final class Counted extends TrackedCall {
        Counted(long start) {
            super(start);
        }

        @Override
        protected void expired(boolean blocked, long ageNanos) {
            expired.incrementAndGet();
        }
    }

    /**
     * Begins a new call under handle {@code id} now; the handle names the latest call begun under it whose begin is
     * over (a call is returned and answered only once its begin is over, as in the library).
     */
    @Operation
    public void begin(@Param(name = "call") int id) {
        // Time does not pass between the clock read and the ticket, or the call's place in a sequential order would
        // not say how old it is (the library's callers may pause there: see CallTrackerTest).
        time.readLock().lock();
        try {
            Counted call = new Counted(now.get());
            tracker.begin(call);
            begun.set(id, call);
        } finally {
            time.readLock().unlock();
        }
    }

    @Operation
    public void returned(@Param(name = "call") int id) {
        TrackedCall call = begun.get(id);
        if (call != null) {
            tracker.returned(call);
        }
    }

    /** Answers call {@code id}: true when this answer is the one that counts. */
    @Operation
    public boolean answer(@Param(name = "call") int id) {
        TrackedCall call = begun.get(id);
        return call != null && tracker.answer(call);
    }

    @Operation
    public void oneSecondPasses() {
        time.writeLock().lock();
        try {
            now.addAndGet(Duration.ofSeconds(1).toNanos());
        } finally {
            time.writeLock().unlock();
        }
    }

    /** A watchdog tick (one watchdog thread, as in the library); returns how many calls have expired so far. */
    @Operation(nonParallelGroup = "watchdog")
    public int tick() {
        tracker.run();
        return expired.get();
    }

    @Test
    void everyCallIsSettledOnceUnderModelChecking() {
        new ModelCheckingOptions()
                .iterations(10)
                .invocationsPerIteration(100)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .check(getClass());
    }

    @Test
    void everyCallIsSettledOnceUnderStress() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(300)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .check(getClass());
    }
}
