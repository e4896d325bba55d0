package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One test per place where the breaker broke a documented rule (found by {@link BreakerModelWalkTest} and
 * the rules review), each named after the rule, on a manual clock.
 */
class DocumentedRulesRegressionTest {

    private final ManualClock clock = new ManualClock();
    private final List<StateTransition> transitions = new ArrayList<>();

    private CircuitBreaker breaker(CircuitBreakerConfigBuilder builder) {
        CircuitBreaker breaker = CircuitBreaker.of(builder.clock(clock).build());
        breaker.onTransition(transitions::add);
        return breaker;
    }

    /** Failure threshold 1: one failure opens, then after the reset timeout a canExecute() enters HALF_OPEN. */
    private CircuitBreaker halfOpen(CircuitBreakerConfigBuilder builder) {
        CircuitBreaker breaker = breaker(builder.failureThreshold(1).resetTimeout(Duration.ofSeconds(10)));
        breaker.recordFailure(new IOException("down"));
        clock.advance(Duration.ofSeconds(10));
        breaker.checkTimeouts();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        return breaker;
    }

    @Test
    void aPlainSuccessAlsoAppliesTheFailureRateRule() {
        CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("rate")
                .failureThreshold(10).windowSize(10).minimumCalls(5).failureRateThreshold(0.5));
        for (int i = 0; i < 3; i++) {
            breaker.recordFailure(new IOException("down"));
        }
        breaker.recordSuccess();
        assertThat(breaker.state()).as("4 calls: below minimumCalls").isEqualTo(CircuitBreakerState.CLOSED);

        breaker.recordSuccess();

        assertThat(breaker.state()).as("5 calls, 3 of them failed: a rate of 0.6 reaches 0.5").isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void aTrialLeftUnansweredReopensEvenWhenAnotherTrialWasAnswered() {
        CircuitBreaker breaker = halfOpen(CircuitBreakerConfig.builder("hung")
                .halfOpenMaxCalls(3).successThreshold(3).halfOpenMaxWait(Duration.ofSeconds(5)));
        assertThat(breaker.canExecute()).isTrue();
        assertThat(breaker.canExecute()).isTrue();
        breaker.recordSuccess();

        clock.advance(Duration.ofHours(1));
        breaker.checkTimeouts();

        assertThat(breaker.state()).as("one trial answered, one hung for an hour").isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void halfOpenMaxWaitCountsFromTheOldestUnansweredTrial() {
        CircuitBreaker breaker = halfOpen(CircuitBreakerConfig.builder("oldest")
                .halfOpenMaxCalls(2).successThreshold(2).halfOpenMaxWait(Duration.ofSeconds(5)));
        assertThat(breaker.canExecute()).isTrue();
        clock.advance(Duration.ofSeconds(4));
        assertThat(breaker.canExecute()).isTrue();

        clock.advance(Duration.ofSeconds(1));

        assertThat(breaker.canExecute()).as("the first trial has waited 5 s").isFalse();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void resetOnAClosedBreakerDoesNothing() {
        CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("reset").failureThreshold(1));

        breaker.reset();

        assertThat(transitions).as("no CLOSED -> CLOSED transition").isEmpty();
        breaker.recordFailure(new IOException("down"));
        assertThat(transitions).singleElement().satisfies(t -> assertThat(t.sequence()).isEqualTo(1));
    }

    @Test
    void aLateIgnoredOutcomeDoesNotHandOutAgainAPermitThatASuccessAnswered() {
        CircuitBreaker breaker = halfOpen(CircuitBreakerConfig.builder("answered")
                .halfOpenMaxCalls(3).successThreshold(3));
        for (int i = 0; i < 3; i++) {
            assertThat(breaker.canExecute()).isTrue();
        }
        breaker.recordSuccess();
        breaker.releasePermit();
        breaker.releasePermit();
        // An answer to a call admitted before the breaker opened: no permit is held any more.
        breaker.recordIgnored();

        int granted = 0;
        for (int i = 0; i < 3; i++) {
            granted += breaker.canExecute() ? 1 : 0;
        }

        assertThat(granted).as("3 permits, one answered by a success").isEqualTo(2);
    }

    @Test
    void jitterNeverStretchesAWaitBeyondMaxResetTimeout() {
        CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("jitter").failureThreshold(1)
                .resetTimeout(Duration.ofSeconds(10)).exponentialBackoff(2.0, Duration.ofSeconds(10)).jitter(0.5));
        for (int i = 0; i < 50; i++) {
            breaker.recordFailure(new IOException("down"));
            Duration wait = Duration.between(clock.instant(), breaker.snapshot().nextAttemptAt());
            assertThat(wait).as("wait %d", i).isLessThanOrEqualTo(Duration.ofSeconds(10));
            breaker.reset();
        }
    }
}
