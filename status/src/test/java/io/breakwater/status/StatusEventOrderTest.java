package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreakerState;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which of two events of one key a reader keeps. */
class StatusEventOrderTest {

    private static StatusEvent event(long sequence, String at, CircuitBreakerState to) {
        return new StatusEvent(StatusEvent.SCHEMA, "orders", "trader-7", CircuitBreakerState.CLOSED, to, Instant.parse(at),
                "why", 0, 0, 0, 0, null, sequence);
    }

    @Test
    void aDuplicateIsNotNews() {
        StatusEvent e = event(2, "2026-11-29T10:00:00Z", CircuitBreakerState.CLOSED);
        assertThat(event(2, "2026-11-29T10:00:00Z", CircuitBreakerState.CLOSED).isNewerThan(e)).isFalse();
    }

    @Test
    void anOlderTransitionReplayedLaterDoesNotTakeTheKeyBack() {
        StatusEvent closed = event(2, "2026-11-29T10:00:01Z", CircuitBreakerState.CLOSED);
        StatusEvent forcedOpen = event(1, "2026-11-29T10:00:00Z", CircuitBreakerState.FORCED_OPEN);
        assertThat(forcedOpen.isNewerThan(closed)).isFalse();
        assertThat(closed.isNewerThan(forcedOpen)).isTrue();
    }

    @Test
    void aRestartedInstanceCountingFromOneAgainIsTakenAtItsWord() {
        StatusEvent beforeRestart = event(40, "2026-11-29T10:00:00Z", CircuitBreakerState.OPEN);
        StatusEvent afterRestart = event(1, "2026-11-29T11:00:00Z", CircuitBreakerState.FORCED_OPEN);
        assertThat(afterRestart.isNewerThan(beforeRestart)).isTrue();
    }

    @Test
    void anEventItsOwnDecoderWouldRefuseCannotBeMade() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new StatusEvent(StatusEvent.SCHEMA, "b", "i",
                        CircuitBreakerState.CLOSED, CircuitBreakerState.OPEN, Instant.now(), "r", Double.NaN, 0, 0, 0, null, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("failureRate must be in [0, 1], but was NaN");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new StatusEvent(StatusEvent.SCHEMA, "b", "i",
                        CircuitBreakerState.CLOSED, CircuitBreakerState.OPEN, Instant.now(), "r", 0, 0, -5, 0, null, 1))
                .hasMessageContaining("must be >= 0");
    }

    @Test
    void anythingIsNewerThanNothing() {
        assertThat(event(1, "2026-11-29T10:00:00Z", CircuitBreakerState.OPEN).isNewerThan(null)).isTrue();
    }
}
