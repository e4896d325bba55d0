package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PhaseCellTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("cell").failureThreshold(1)
            .successThreshold(1).resetTimeout(Duration.ofSeconds(1)).clock(clock).build());

    @Test
    void theClosedPhaseIsKeptBesideThePhaseOnlyWhileItIsThePhase() {
        assertThat(breaker.lastClosed).isSameAs(breaker.phase);

        breaker.recordFailure("down");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.lastClosed).as("an OPEN breaker keeps no window of the CLOSED phase it left").isNull();
        assertThat(breaker.canExecute()).isFalse();

        clock.advance(Duration.ofSeconds(1));
        assertThat(breaker.canExecute()).as("the trial").isTrue();
        assertThat(breaker.lastClosed).isNull();
        breaker.recordSuccess();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.lastClosed).as("the new CLOSED phase").isSameAs(breaker.phase);
        assertThat(breaker.canExecute()).isTrue();

        breaker.forceOpen();
        assertThat(breaker.lastClosed).isNull();
        assertThat(breaker.canExecute()).isFalse();
        breaker.reset();
        assertThat(breaker.lastClosed).isSameAs(breaker.phase);
        assertThat(breaker.phase).isInstanceOf(Phase.Closed.class);
    }
}
