package io.breakwater.breaker.watch;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.junit.jupiter.api.Test;

/**
 * {@link CallTrackerLincheckTest}'s operations and checks on a tracker whose first ring has four slots and that may grow
 * to sixteen: calls begun while a tick grows the ring are never lost, never settled twice, and a copied slot never
 * shows an old call as a new one. More calls begin first, and more operations follow, so that a tick finds more than
 * two in flight (and grows the ring) in most runs, and a lost call would show in the ticks after it. Two threads of
 * three operations never begin four calls while one is between its ticket and its slot, which would forget it by the
 * tracker's rule (a call is forgotten once as many newer ones began as the ring has slots).
 */
public class CallTrackerGrowthLincheckTest extends CallTrackerLincheckTest {

    @Override
    CallTracker tracker(LongSupplier clock) {
        return new CallTracker("lincheck-growth", new TrackerLimits(clock, Duration.ofSeconds(1), Duration.ofSeconds(2), 16, false, 4));
    }

    @Test
    @Override
    void everyCallIsSettledOnceUnderModelChecking() {
        new ModelCheckingOptions()
                .iterations(100)
                .invocationsPerIteration(100)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(3)
                .actorsAfter(3)
                .check(getClass());
    }
}
