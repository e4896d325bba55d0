package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** forceOpen, disable and reset, as the README's table says. */
class ManualControlTest {

    private final List<StateTransition> seen = new ArrayList<>();

    private CircuitBreaker breaker() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("manual").clock(new ManualClock()).build());
        breaker.onTransition(seen::add);
        return breaker;
    }

    @Test
    void resetOnAClosedBreakerDoesNothing() {
        CircuitBreaker breaker = breaker();
        breaker.recordFailure(new IOException("one"));

        breaker.reset();

        assertThat(seen).as("no CLOSED -> CLOSED event").isEmpty();
        assertThat(breaker.snapshot().consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void disableOnAForcedOpenBreakerDisablesIt() {
        CircuitBreaker breaker = breaker();
        breaker.forceOpen();

        breaker.disable();

        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.DISABLED);
        assertThat(breaker.canExecute()).isTrue();
        assertThat(seen).extracting(t -> t.from() + "->" + t.to())
                .containsExactly("CLOSED->FORCED_OPEN", "FORCED_OPEN->DISABLED");
    }

    @Test
    void forceOpenOnADisabledBreakerForcesItOpen() {
        CircuitBreaker breaker = breaker();
        breaker.disable();

        breaker.forceOpen();

        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        assertThat(breaker.canExecute()).isFalse();
    }

    @Test
    void aManualStateSetTwiceIsOneTransition() {
        CircuitBreaker breaker = breaker();
        breaker.forceOpen();
        breaker.forceOpen();
        assertThat(seen).hasSize(1);
    }

    @Test
    void aReasonGivenByTheCallerIsTheTransitionsReason() {
        CircuitBreaker breaker = breaker();

        breaker.forceOpen("cmd-1: force-open by alice");
        breaker.disable("cmd-2: disable by bob");
        breaker.reset("cmd-3: reset by carol");

        assertThat(seen).extracting(StateTransition::reason)
                .containsExactly("cmd-1: force-open by alice", "cmd-2: disable by bob", "cmd-3: reset by carol");
        assertThat(seen).extracting(StateTransition::to).containsExactly(CircuitBreakerState.FORCED_OPEN,
                CircuitBreakerState.DISABLED, CircuitBreakerState.CLOSED);
    }

    @Test
    void aMissingOrBlankReasonIsRefusedAndChangesNothing() {
        CircuitBreaker breaker = breaker();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> breaker.forceOpen(null))
                .isInstanceOf(NullPointerException.class).hasMessage("reason");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> breaker.disable(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("reason must not be blank, but was ' '");
        breaker.forceOpen();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> breaker.reset(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("reason must not be blank, but was ''");

        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        assertThat(seen).extracting(StateTransition::reason).containsExactly("forced open by hand");
    }
}
