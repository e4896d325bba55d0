package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A trial left unanswered for halfOpenMaxWait counts as a failure, however many permits are out. */
class HalfOpenMaxWaitTest {

    private final ManualClock clock = new ManualClock();
    private CircuitBreaker breaker;

    @BeforeEach
    void halfOpen() {
        breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("trials").clock(clock).failureThreshold(1)
                .resetTimeout(Duration.ofSeconds(10)).halfOpenMaxWait(Duration.ofSeconds(5)).build());
        breaker.recordFailure(new IOException("trip"));
        clock.advance(Duration.ofSeconds(10));
    }

    @Test
    void oneOfThreeTrialPermitsUnansweredReopensAfterTheMaxWait() {
        assertThat(breaker.tryAcquirePermit()).isNotNull();
        clock.advance(Duration.ofMillis(4_999));
        breaker.checkTimeouts();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);

        clock.advance(Duration.ofMillis(1));
        breaker.checkTimeouts();

        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void oneGoodTrialAndOneHungTrialThenAnHourWithoutTrafficReopens() {
        Permit good = breaker.tryAcquirePermit();
        Permit hung = breaker.tryAcquirePermit();
        assertThat(hung).isNotNull();
        breaker.recordSuccess(good, -1);

        clock.advance(Duration.ofHours(1));
        breaker.checkTimeouts();

        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void eachTrialIsTimedFromItsOwnPermitNotTheNewest() {
        Permit first = breaker.tryAcquirePermit();
        clock.advance(Duration.ofSeconds(3));
        Permit second = breaker.tryAcquirePermit();
        breaker.recordSuccess(second, -1);
        clock.advance(Duration.ofSeconds(2));   // the first permit is 5 s old

        assertThat(breaker.tryAcquirePermit()).as("the call that finds the expiry is refused").isNull();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(first.isTrial()).isTrue();
    }

    @Test
    void answeredTrialsDoNotExpire() {
        Permit a = breaker.tryAcquirePermit();
        breaker.recordSuccess(a, -1);
        clock.advance(Duration.ofHours(1));
        breaker.checkTimeouts();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
    }

    @Test
    void theRefusalNamesWhenTheOldestTrialExpires() {
        for (int i = 0; i < 3; i++) {
            breaker.tryAcquirePermit();
            clock.advance(Duration.ofSeconds(1));
        }
        CircuitBreakerOpenException e = breaker.openException();
        assertThat(e.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        assertThat(e.nextPermittedAt()).contains(clock.instant().plusSeconds(2));
        assertThat(e.getMessage()).isEqualTo("Circuit breaker 'trials' is HALF_OPEN and admits no more trial calls now; "
                + "a trial unanswered until " + clock.instant().plusSeconds(2) + " will count as failed");
    }
}
