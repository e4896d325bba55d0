package io.breakwater.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.interceptors.SendQueueFullException;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class OutcomeTest {

    @Test
    void aBreakersRefusalAndAFullSendQueueAreRejectionsWhateverWrapsThem() {
        CircuitBreakerOpenException open = CircuitBreakerOpenException.of("b", CircuitBreakerState.OPEN, Instant.now(),
                Instant.now(), false);
        assertThat(Outcome.of(new CompletionException(open)).format()).isEqualTo("rejected CircuitBreakerOpenException");
        assertThat(Outcome.of(new ExecutionException(new SendQueueFullException("b", 10))).format())
                .isEqualTo("rejected SendQueueFullException");
    }

    @Test
    void everyOtherErrorIsAnIndeterminateFailureNamedByItsClass() {
        assertThat(Outcome.of(new CompletionException(new TimeoutException("expired"))).format()).isEqualTo("fail TimeoutException");
        assertThat(Outcome.of(new NotEnoughReplicasException("2 needed")).kind()).isEqualTo(Outcome.Kind.FAIL);
    }

    @Test
    void everyKindRoundTripsThroughItsText() {
        for (Outcome o : new Outcome[] {Outcome.ok(2, 1234), Outcome.SPILLED, Outcome.PENDING,
                new Outcome(Outcome.Kind.REJECTED, -1, -1, "CircuitBreakerOpenException"),
                new Outcome(Outcome.Kind.FAIL, -1, -1, "TimeoutException")}) {
            assertThat(Outcome.parse(o.format())).isEqualTo(o);
        }
        assertThat(Outcome.ok(2, 1234).format()).isEqualTo("ok 2:1234");
    }

    @Test
    void textThatIsNoOutcomeIsRefusedNamingIt() {
        assertThatThrownBy(() -> Outcome.parse("maybe")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an outcome: 'maybe'");
        assertThatThrownBy(() -> Outcome.parse("ok 3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an ok outcome needs partition:offset, but was 'ok 3'");
    }
}
