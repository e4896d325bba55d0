package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordStallTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("stalled")
            .failureThreshold(50).resetTimeout(Duration.ofSeconds(10)).clock(clock).build());

    @Test
    void aStallOpensAClosedBreakerWhateverItsCounts() {
        List<StateTransition> seen = new ArrayList<>();
        breaker.onTransition(seen::add);
        breaker.recordStall("nothing answered for 2000 ms");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(seen).singleElement().satisfies(t -> assertThat(t.reason()).isEqualTo("stalled: nothing answered for 2000 ms"));
        assertThat(breaker.snapshot().lastFailure()).isEqualTo("nothing answered for 2000 ms");
        assertThat(breaker.snapshot().failedCalls()).as("a stall is a verdict, not a call").isZero();
    }

    @Test
    void aStalledBreakerRecoversLikeAnyOpenOne() {
        breaker.recordStall("silence");
        clock.advance(Duration.ofSeconds(10));
        Permit trial = breaker.tryAcquirePermit();
        assertThat(trial).isNotNull();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
    }

    @Test
    void aStallChangesNothingOutsideClosed() {
        breaker.recordStall("first");
        breaker.recordStall("second");
        assertThat(breaker.snapshot().lastFailure()).isEqualTo("first");
        clock.advance(Duration.ofSeconds(10));
        breaker.checkTimeouts();
        breaker.recordStall("in half-open");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        breaker.forceOpen();
        breaker.recordStall("forced");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        breaker.disable();
        breaker.recordStall("disabled");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.DISABLED);
    }

    @Test
    void aStallNeedsDetails() {
        assertThatThrownBy(() -> breaker.recordStall(null)).isInstanceOf(NullPointerException.class).hasMessage("details");
    }
}
