package io.breakwater.breaker.watch;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
    private final CallTracker tracker = new CallTracker("lincheck", now::get, BLOCK, ANSWER, 2, false);
    private final TrackedCall[] calls = new TrackedCall[3];

    private final class Counted extends TrackedCall {
        Counted(long start) {
            super(start);
        }

        @Override
        protected void expired(boolean blocked, long ageNanos) {
            expired.incrementAndGet();
        }
    }

    /** Begins call {@code id} now; false when it has begun already. */
    @Operation
    public boolean begin(@Param(name = "call") int id) {
        synchronized (calls) {
            if (calls[id] != null) {
                return false;
            }
            calls[id] = new Counted(now.get());
        }
        tracker.begin(calls[id]);
        return true;
    }

    @Operation
    public void returned(@Param(name = "call") int id) {
        TrackedCall call = calls[id];
        if (call != null) {
            tracker.returned(call);
        }
    }

    /** Answers call {@code id}: true when this answer is the one that counts. */
    @Operation
    public boolean answer(@Param(name = "call") int id) {
        TrackedCall call = calls[id];
        return call != null && tracker.answer(call);
    }

    @Operation
    public void oneSecondPasses() {
        now.addAndGet(Duration.ofSeconds(1).toNanos());
    }

    /** A watchdog tick; returns how many calls have expired so far. */
    @Operation
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
