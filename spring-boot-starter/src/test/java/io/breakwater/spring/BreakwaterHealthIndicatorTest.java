package io.breakwater.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

class BreakwaterHealthIndicatorTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
    private final CircuitBreaker breaker = registry.getOrCreate("db",
            CircuitBreakerConfig.builder("db").clock(clock).resetTimeout(Duration.ofSeconds(30)).build());
    private final BreakwaterHealthIndicator indicator = new BreakwaterHealthIndicator(registry);

    @Test
    void anOpenBreakerThatNothingCallsIsUpAgainOnceItsResetTimeoutHasPassed() {
        for (int i = 0; i < 10 && !breaker.state().rejectsCalls(); i++) {
            breaker.recordFailure(new java.io.IOException("down"));
        }
        assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);

        clock.advance(Duration.ofSeconds(31)); // no call at all: readiness took the traffic away

        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
        assertThat(breaker.state().name()).isEqualTo("HALF_OPEN");
    }
}
