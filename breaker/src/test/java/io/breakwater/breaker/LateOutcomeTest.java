package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Outcomes reported with a permit belong to the period that granted it: a late answer decides nothing now. */
class LateOutcomeTest {

    private final ManualClock clock = new ManualClock();

    private CircuitBreaker breaker(int halfOpenMaxCalls, int successThreshold) {
        return CircuitBreaker.of(CircuitBreakerConfig.builder("late").clock(clock).failureThreshold(1)
                .halfOpenMaxCalls(halfOpenMaxCalls).successThreshold(successThreshold)
                .resetTimeout(Duration.ofSeconds(10)).build());
    }

    @Test
    void aLateSuccessFromClosedDoesNotCloseTheBreakerWhileItsTrialIsUnanswered() {
        CircuitBreaker breaker = breaker(1, 1);
        Permit a = breaker.tryAcquirePermit();                 // admitted in CLOSED, answer delayed
        Permit b = breaker.tryAcquirePermit();
        breaker.recordFailure(b, new IOException("b failed"), -1); // trips the breaker
        clock.advance(Duration.ofSeconds(10));
        Permit c = breaker.tryAcquirePermit();                 // the one trial
        assertThat(c).isNotNull();
        assertThat(c.isTrial()).isTrue();

        breaker.recordSuccess(a, -1);

        assertThat(breaker.state()).as("A's late success must not decide C's trial").isEqualTo(CircuitBreakerState.HALF_OPEN);
        assertThat(breaker.snapshot().successfulCalls()).as("but it is counted in the statistics").isEqualTo(1);
        breaker.recordSuccess(c, -1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aLateFailureFromClosedDoesNotReopenAHalfOpenBreaker() {
        CircuitBreaker breaker = breaker(1, 1);
        Permit a = breaker.tryAcquirePermit();
        breaker.recordFailure(breaker.tryAcquirePermit(), new IOException("trip"), -1);
        clock.advance(Duration.ofSeconds(10));
        Permit trial = breaker.tryAcquirePermit();

        breaker.recordFailure(a, new IOException("late"), -1);

        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(2);
        breaker.recordSuccess(trial, -1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aLateIgnoredOutcomeDoesNotReleaseATrialPermitItNeverHeld() {
        CircuitBreaker breaker = breaker(1, 1);
        Permit a = breaker.tryAcquirePermit();
        breaker.recordFailure(breaker.tryAcquirePermit(), new IOException("trip"), -1);
        clock.advance(Duration.ofSeconds(10));
        assertThat(breaker.tryAcquirePermit()).isNotNull();    // the only trial permit is out

        breaker.recordIgnored(a);

        assertThat(breaker.tryAcquirePermit()).as("the trial permit is still held").isNull();
        assertThat(breaker.snapshot().ignoredCalls()).isEqualTo(1);
    }

    @Test
    void aTrialAnsweredTwiceCountsOnce() {
        CircuitBreaker breaker = breaker(3, 2);
        breaker.recordFailure(breaker.tryAcquirePermit(), new IOException("trip"), -1);
        clock.advance(Duration.ofSeconds(10));
        Permit trial = breaker.tryAcquirePermit();

        breaker.recordSuccess(trial, -1);
        breaker.recordSuccess(trial, -1);

        assertThat(breaker.state()).as("one trial, one success: not yet the two needed").isEqualTo(CircuitBreakerState.HALF_OPEN);
    }

    @Test
    void aLateOutcomeFromAnEarlierClosedPeriodDoesNotCountInTheNewWindow() {
        CircuitBreaker breaker = breaker(1, 1);
        Permit old = breaker.tryAcquirePermit();
        breaker.recordFailure(breaker.tryAcquirePermit(), new IOException("trip"), -1);
        clock.advance(Duration.ofSeconds(10));
        breaker.recordSuccess(breaker.tryAcquirePermit(), -1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);

        breaker.recordFailure(old, new IOException("a record from before the outage timed out"), -1);

        assertThat(breaker.state()).as("failureThreshold 1, but the failure belongs to the previous period")
                .isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void outcomesWithoutAPermitAnswerTheOldestTrial() {
        CircuitBreaker breaker = breaker(2, 2);
        breaker.recordFailure(new IOException("trip"));
        clock.advance(Duration.ofSeconds(10));
        assertThat(breaker.canExecute()).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(breaker.canExecute()).isTrue();
        breaker.recordSuccess();                                // answers the first trial
        clock.advance(Duration.ofSeconds(9));                   // the first trial would expire now; it was answered
        breaker.checkTimeouts();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        clock.advance(Duration.ofSeconds(1));                   // the second, unanswered, expires
        breaker.checkTimeouts();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void askingInClosedHandsOutOneSharedPermit() {
        CircuitBreaker breaker = breaker(1, 1);
        assertThat(breaker.tryAcquirePermit()).isSameAs(breaker.tryAcquirePermit());
        assertThat(breaker.tryAcquirePermit().grantedIn()).isEqualTo(CircuitBreakerState.CLOSED);
    }
}
