package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The "Testing Circuit Behavior" scenario of the original guide, in Java, on a fake clock. */
class GuideScenarioTest {

    @Test
    void threeFailuresOpenThenResetTimeoutAdmitsThenThreeSuccessesClose() {
        ManualClock clock = new ManualClock();
        CircuitBreaker circuit = CircuitBreaker.of(CircuitBreakerConfig.builder("test")
                .failureThreshold(3)
                .resetTimeout(Duration.ofSeconds(1))
                .clock(clock)
                .build());

        for (int i = 0; i < 3; i++) {
            circuit.recordFailure("failure " + i);
        }
        assertThat(circuit.state()).isEqualTo(CircuitBreakerState.OPEN);

        clock.advance(Duration.ofMillis(1500));
        assertThat(circuit.canExecute()).isTrue();
        assertThat(circuit.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);

        for (int i = 0; i < 3; i++) {
            circuit.recordSuccess();
        }
        assertThat(circuit.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void theTimeoutSecondsAliasSetsTheResetTimeout() {
        CircuitBreakerConfig config = CircuitBreakerConfig.builder("external_api")
                .failureThreshold(3).timeoutSeconds(45).build();
        assertThat(config.resetTimeout()).isEqualTo(Duration.ofSeconds(45));
        CircuitBreakerConfig both = CircuitBreakerConfig.builder("external_api")
                .resetTimeout(Duration.ofSeconds(45)).timeoutSeconds(45).build();
        assertThat(both.resetTimeout()).isEqualTo(Duration.ofSeconds(45));
    }
}
