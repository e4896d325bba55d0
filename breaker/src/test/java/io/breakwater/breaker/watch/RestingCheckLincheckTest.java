package io.breakwater.breaker.watch;

import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Owners make work and wake the check while the watchdog ticks it (one watchdog thread, as in the library): whatever the interleaving, a check out of the rounds has seen all the work made before it left
 * (no wake is lost), and a check is in the rounds exactly when it says it is awake, and then once.
 */
public class RestingCheckLincheckTest {

    private final Rounds rounds = new Rounds();
    private final AtomicInteger work = new AtomicInteger();
    private final Counting check = new Counting(rounds);

    private final class Counting extends RestingCheck {
        // What the ticks have seen; the watchdog thread's.
        private int seen;

        Counting(Rounds rounds) {
            super(rounds);
        }

        @Override
        protected void tick() {
            seen = work.get();
        }

        @Override
        protected boolean idle() {
            return seen == work.get();
        }
    }

    /** An owner's call: visible to the check first, then a wake. */
    @Operation
    public void publish() {
        work.incrementAndGet();
        check.wake();
    }

    /** The watchdog's tick. */
    @Operation(nonParallelGroup = "watchdog")
    public void tick() {
        if (rounds.tick() != null) {
            throw new AssertionError("no check here throws");
        }
    }

    @Validate
    public void noWakeIsLost() {
        int times = rounds.count(check);
        boolean in = times > 0;
        if (times > 1 || in != check.awake()) {
            throw new IllegalStateException("in the rounds " + times + " times, awake: " + check.awake());
        }
        if (!in && check.seen != work.get()) {
            throw new IllegalStateException("out of the rounds with work unseen: " + check.seen + " of " + work.get());
        }
    }

    @Test
    void noWakeIsLostUnderModelChecking() {
        new ModelCheckingOptions()
                .iterations(30)
                .invocationsPerIteration(200)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    void noWakeIsLostUnderStress() {
        new StressOptions()
                .iterations(20)
                .invocationsPerIteration(500)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(getClass());
    }
}
