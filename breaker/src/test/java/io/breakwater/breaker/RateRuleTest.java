package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The rate rules are judged after every recorded outcome, successes included (the README's table). */
class RateRuleTest {

    private final ManualClock clock = new ManualClock();

    private static void failure(CircuitBreaker breaker) {
        breaker.recordFailure(new IOException("down"));
    }

    @Test
    void aSuccessThatCompletesTheMinimumOpensWhenTheRateIsReached() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("rate").clock(clock).failureThreshold(100)
                .windowSize(20).minimumCalls(5).failureRateThreshold(0.5).build());
        failure(breaker);
        failure(breaker);
        failure(breaker);
        breaker.recordSuccess();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);

        breaker.recordSuccess();   // 5 calls, 60 % failed

        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void exactlyTheThresholdOpensEvenWhenTheLastOutcomeIsASuccess() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("at").clock(clock).failureThreshold(100)
                .windowSize(10).minimumCalls(10).failureRateThreshold(0.5).build());
        for (int i = 0; i < 5; i++) {
            failure(breaker);
            breaker.recordSuccess();
        }
        assertThat(breaker.state()).as("10 calls at exactly 50 %").isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void aFastSuccessThatCompletesTheMinimumOpensOnTheSlowCallRate() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("slow").clock(clock).windowSize(4)
                .minimumCalls(4).slowCallDuration(Duration.ofSeconds(1)).slowCallRateThreshold(0.5).build());
        long slow = Duration.ofSeconds(2).toNanos();
        breaker.recordSuccess(slow);
        breaker.recordSuccess(slow);
        breaker.recordSuccess(1_000);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);

        breaker.recordSuccess(1_000);

        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void inATimeWindowASuccessAfterOldSuccessesLeftTheWindowOpens() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("time").clock(clock).failureThreshold(100)
                .windowDuration(Duration.ofSeconds(10)).minimumCalls(5).failureRateThreshold(0.5).build());
        for (int i = 0; i < 20; i++) {
            breaker.recordSuccess();
        }
        clock.advance(Duration.ofSeconds(5));
        for (int i = 0; i < 4; i++) {
            failure(breaker);
        }
        assertThat(breaker.state()).as("4 of 24 failed").isEqualTo(CircuitBreakerState.CLOSED);
        clock.advance(Duration.ofSeconds(6));   // the 20 successes leave the window

        breaker.recordSuccess();                 // 4 of 5 failed

        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void inATimeWindowASuccessThatCompletesTheMinimumOpens() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("time-minimum").clock(clock)
                .failureThreshold(100).windowDuration(Duration.ofSeconds(10)).minimumCalls(5).failureRateThreshold(0.5)
                .build());
        failure(breaker);
        failure(breaker);
        failure(breaker);
        breaker.recordSuccess();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);

        breaker.recordSuccess();   // 5 calls, 60 % failed

        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void inATimeWindowASuccessOnAnotherThreadAfterOldSuccessesLeftTheWindowOpens() throws Exception {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("time-threads").clock(clock)
                .failureThreshold(100).windowDuration(Duration.ofSeconds(10)).minimumCalls(5).failureRateThreshold(0.5)
                .build());
        Thread successes = new Thread(() -> {
            for (int i = 0; i < 20; i++) {
                breaker.recordSuccess();
            }
        });
        successes.start();
        successes.join();
        clock.advance(Duration.ofSeconds(5));
        for (int i = 0; i < 4; i++) {
            failure(breaker);
        }
        breaker.recordSuccess();
        assertThat(breaker.state()).as("4 of 25 failed").isEqualTo(CircuitBreakerState.CLOSED);
        clock.advance(Duration.ofSeconds(6));   // the 20 successes of the other thread leave the window

        Thread late = new Thread(breaker::recordSuccess);   // 4 of 6 failed
        late.start();
        late.join();

        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void moreSuccessesAfterTheRuleHeldCannotKeepItClosed() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("qualified").clock(clock)
                .failureThreshold(100).windowSize(100).minimumCalls(5).failureRateThreshold(0.5).build());
        failure(breaker);
        failure(breaker);
        failure(breaker);
        breaker.recordSuccess();
        breaker.recordSuccess();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }
}
