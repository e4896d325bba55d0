package io.breakwater.breaker.internal;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Concurrent {@code record}s of mixed outcomes and {@code totals} reads on a small count window must be
 * linearizable: every totals() a reader sees is the totals of the last outcomes of some sequential order
 * of the records. The window is smaller than a scenario's records, so slots are overwritten.
 */
@Param(name = "outcome", gen = IntGen.class, conf = "1:4")
public class CountWindowLincheckTest {

    private final CountWindow window = new CountWindow(3);

    @Operation
    public void record(@Param(name = "outcome") int outcome) {
        window.record(outcome, 0);
    }

    @Operation
    public WindowTotals totals() {
        return window.totals(0);
    }

    @Test
    void countWindowTotalsAreLinearizableUnderModelChecking() {
        new ModelCheckingOptions()
                .iterations(10)
                .invocationsPerIteration(100)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    void countWindowTotalsAreLinearizableUnderStress() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(300)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1)
                .check(getClass());
    }
}
