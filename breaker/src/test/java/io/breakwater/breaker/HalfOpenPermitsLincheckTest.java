package io.breakwater.breaker;

import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

import io.breakwater.breaker.internal.Failures;
import java.time.Duration;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

/**
 * Callers race on a breaker in HALF_OPEN with {@code halfOpenMaxCalls} 2: each asks for a permit, and
 * answers only permits it holds (a success, an ignored outcome, or giving the permit back). Every
 * concurrent run must be explained by some order of the same calls on {@link BreakerModel}, the documented
 * rules; so no run grants more than two permits at once, or hands out again a permit a success answered.
 * The clock does not move, so no trial expires.
 */
@Param(name = "thread", gen = ThreadIdGen.class)
public class HalfOpenPermitsLincheckTest {

    private static final int MAX_CALLS = 2;
    private static final Duration RESET_TIMEOUT = Duration.ofSeconds(1);
    private static final BreakerModel.Settings SETTINGS = new BreakerModel.Settings(1, MAX_CALLS, MAX_CALLS,
            RESET_TIMEOUT, null, null, null, null, null, null, null, null, null);

    /** The breaker as the callers see it: the real one, or the model. */
    interface Breaker {
        boolean canExecute();

        void recordSuccess();

        void recordIgnored();

        void releasePermit();
    }

    /** Callers that keep count of the permits each of them holds, and answer only those. */
    static final class Callers {
        private final Breaker breaker;
        // Permits held, per caller thread. Each thread touches only its own slot.
        private final int[] held = new int[8];

        Callers(Breaker breaker) {
            this.breaker = breaker;
        }

        boolean canExecute(int thread) {
            boolean granted = breaker.canExecute();
            if (granted) {
                held[thread]++;
            }
            return granted;
        }

        boolean recordSuccess(int thread) {
            return answer(thread, breaker::recordSuccess);
        }

        boolean recordIgnored(int thread) {
            return answer(thread, breaker::recordIgnored);
        }

        boolean releasePermit(int thread) {
            return answer(thread, breaker::releasePermit);
        }

        /** Answers one of this caller's permits with {@code answer}; false when it holds none. */
        private boolean answer(int thread, Runnable answer) {
            if (held[thread] == 0) {
                return false;
            }
            held[thread]--;
            answer.run();
            return true;
        }
    }

    private final Callers callers;

    public HalfOpenPermitsLincheckTest() {
        ManualClock clock = new ManualClock();
        CircuitBreaker breaker = CircuitBreaker.of(SETTINGS.toBuilder(IllegalArgumentException.class).clock(clock).build());
        breaker.recordFailure("down");
        clock.advance(RESET_TIMEOUT);
        breaker.checkTimeouts();
        if (breaker.state() != CircuitBreakerState.HALF_OPEN) {
            throw new IllegalStateException("expected HALF_OPEN, but was " + breaker.state());
        }
        callers = new Callers(new Breaker() {
            @Override
            public boolean canExecute() {
                return breaker.canExecute();
            }

            @Override
            public void recordSuccess() {
                breaker.recordSuccess();
            }

            @Override
            public void recordIgnored() {
                breaker.recordIgnored();
            }

            @Override
            public void releasePermit() {
                breaker.releasePermit();
            }
        });
    }

    @Operation
    public boolean canExecute(@Param(name = "thread") int thread) {
        return callers.canExecute(thread);
    }

    @Operation
    public boolean recordSuccess(@Param(name = "thread") int thread) {
        return callers.recordSuccess(thread);
    }

    @Operation
    public boolean recordIgnored(@Param(name = "thread") int thread) {
        return callers.recordIgnored(thread);
    }

    @Operation
    public boolean releasePermit(@Param(name = "thread") int thread) {
        return callers.releasePermit(thread);
    }

    @Test
    void halfOpenNeverGrantsMoreThanHalfOpenMaxCallsUnderModelChecking() {
        new ModelCheckingOptions()
                .sequentialSpecification(DocumentedRules.class)
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
    void halfOpenNeverGrantsMoreThanHalfOpenMaxCallsUnderStress() {
        new StressOptions()
                .sequentialSpecification(DocumentedRules.class)
                .iterations(10)
                .invocationsPerIteration(300)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(getClass());
    }

    /** The sequential specification: the same callers on {@link BreakerModel}, put into HALF_OPEN the same way. */
    public static class DocumentedRules {
        private final Callers callers;

        public DocumentedRules() {
            BreakerModel model = new BreakerModel(SETTINGS);
            long now = RESET_TIMEOUT.toNanos();
            model.failure(0, -1);
            model.checkTimeouts(now);
            callers = new Callers(new Breaker() {
                @Override
                public boolean canExecute() {
                    return model.canExecute(now);
                }

                @Override
                public void recordSuccess() {
                    model.success(now, -1);
                }

                @Override
                public void recordIgnored() {
                    model.ignored();
                }

                @Override
                public void releasePermit() {
                    model.releasePermit();
                }
            });
        }

        public boolean canExecute(int thread) {
            return callers.canExecute(thread);
        }

        public boolean recordSuccess(int thread) {
            return callers.recordSuccess(thread);
        }

        public boolean recordIgnored(int thread) {
            return callers.recordIgnored(thread);
        }

        public boolean releasePermit(int thread) {
            return callers.releasePermit(thread);
        }
    }
}
