package io.breakwater.breaker.watch;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * The interceptor's tracker under concurrent sends, acknowledgements and watchdog ticks while time moves:
 * every run must be explained by some order of the same operations. So a record is counted as failed at most
 * once, its late acknowledgement is then not counted again, and a send counted but not yet timed is never
 * read as an old one.
 */
public class AckTrackerLincheckTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("acks").failureThreshold(1000)
            .clock(clock).build());
    private final AckTracker tracker = new AckTracker(breaker, clock, Duration.ofSeconds(2), "inFlightThreshold");

    @Operation
    public void sent() {
        tracker.sent();
    }

    /** An acknowledgement: true when its outcome is to be recorded (the watchdog has not counted it). */
    @Operation
    public boolean acknowledged() {
        return tracker.acknowledged();
    }

    @Operation
    public void oneSecondPasses() {
        clock.advance(Duration.ofSeconds(1));
    }

    /** A watchdog tick; returns the records counted as failed so far. */
    @Operation
    public long tick() {
        tracker.run();
        return breaker.callStats().failed();
    }

    @Test
    void eachRecordIsCountedOnceUnderModelChecking() {
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
    void eachRecordIsCountedOnceUnderStress() {
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
