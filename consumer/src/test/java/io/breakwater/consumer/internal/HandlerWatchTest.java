package io.breakwater.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The handler watchdog, ticked by hand: it counts a blocked handler only where the loop is the breaker's recorder. */
class HandlerWatchTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("orders-db").clock(clock)
            .failureThreshold(5).build());

    @Test
    void inTheRecordingModeABlockedHandlerCountsAsAFailureAndAStall() {
        HandlerWatch watch = new HandlerWatch("orders", breaker, Duration.ofSeconds(2), true);
        watch.begin(breaker.tryAcquirePermit());
        clock.advance(Duration.ofMillis(2_100));
        watch.run();

        assertThat(breaker.callStats().failed()).isEqualTo(1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void inTheObservingModeABlockedHandlerIsOnlyLoggedSinceTheResourceRecordsItsOwnCalls() {
        HandlerWatch watch = new HandlerWatch("orders", breaker, Duration.ofSeconds(2), false);
        HandlerWatch.Call call = watch.begin(null);
        clock.advance(Duration.ofMillis(2_100));
        watch.run();
        watch.run();

        assertThat(breaker.callStats().failed()).isZero();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(watch.end(call)).isFalse(); // the late outcome is the resource's to record, as before
    }
}
