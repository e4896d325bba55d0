package io.breakwater.breaker;

import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

import io.breakwater.breaker.internal.Failures;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Concurrent failures, successes, calls, time steps and resets trip and close a breaker that moves on
 * every outcome (one failure opens it, one second later it admits one trial, one success closes it).
 * After every run, the listener must have received each transition exactly once, in sequence order,
 * each leaving the state the previous one entered, the last one entering the breaker's state.
 */
public class TransitionDeliveryLincheckTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("delivery")
            .failureThreshold(1)
            .successThreshold(1)
            .halfOpenMaxCalls(1)
            .resetTimeout(Duration.ofSeconds(1))
            .clock(clock)
            .build());
    private final List<StateTransition> delivered = new CopyOnWriteArrayList<>();

    public TransitionDeliveryLincheckTest() {
        breaker.onTransition(delivered::add);
    }

    @Operation
    public void recordFailure() {
        breaker.recordFailure("down");
    }

    @Operation
    public void recordSuccess() {
        breaker.recordSuccess();
    }

    @Operation
    public void canExecute() {
        breaker.canExecute();
    }

    @Operation
    public void advanceOneSecond() {
        clock.advance(Duration.ofSeconds(1));
    }

    @Operation
    public void reset() {
        breaker.reset();
    }

    @Validate
    public void everyTransitionWasDeliveredOnceInOrder() {
        CircuitBreakerState entered = CircuitBreakerState.CLOSED;
        for (int i = 0; i < delivered.size(); i++) {
            StateTransition t = delivered.get(i);
            if (t.sequence() != i + 1 || t.from() != entered) {
                throw new AssertionError("transition " + (i + 1) + " delivered out of turn: " + delivered);
            }
            entered = t.to();
        }
        if (entered != breaker.state()) {
            throw new AssertionError("the breaker is " + breaker.state() + " but the last transition delivered entered "
                    + entered + ": " + delivered);
        }
    }

    @Test
    void everyTransitionReachesTheListenerOnceAndInOrderUnderModelChecking() {
        new ModelCheckingOptions()
                // Failure texts and logging share no state with the breaker's decisions, and exploring
                // their interleavings would take most of the time.
                .addGuarantee(forClasses(Failures.class.getName()).allMethods().ignore())
                .addGuarantee(forClasses(name -> name.startsWith("org.slf4j")).allMethods().ignore())
                .iterations(10)
                .invocationsPerIteration(100)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(getClass());
    }

    @Test
    void everyTransitionReachesTheListenerOnceAndInOrderUnderStress() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(300)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(getClass());
    }
}
