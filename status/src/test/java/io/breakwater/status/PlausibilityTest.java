package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreakerState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a reader of the status topic does not take: another key's body, and times far ahead of its clock. */
class PlausibilityTest {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    private static StatusEvent event(Instant at, Instant since) {
        return new StatusEvent(StatusEvent.SCHEMA, StatusEvent.Kind.TRANSITION, "payments", "billing-1",
                CircuitBreakerState.CLOSED, CircuitBreakerState.FORCED_OPEN, at, since, "why", 0, 0, 0, 0, null,
                Long.MAX_VALUE);
    }

    @Test
    void anEventUnderItsOwnKeyAtTimesUpToFiveMinutesAheadIsTaken() {
        Instant ahead = NOW.plus(Duration.ofMinutes(5));
        assertThat(Plausibility.doubt(event(ahead, ahead), "billing-1/payments", NOW)).isNull();
        assertThat(Plausibility.doubt(event(NOW.minusSeconds(3600), NOW.minusSeconds(7200)), "billing-1/payments", NOW))
                .isNull();
        assertThat(Plausibility.doubt(new InstanceEvent(StatusEvent.SCHEMA, InstanceEvent.Kind.HEARTBEAT, "billing-1", NOW,
                NOW, Duration.ofSeconds(30), 1), "billing-1", NOW)).isNull();
    }

    /** Written so, it would hold its key for good: no real event is newer in time, nor in sequence. */
    @Test
    void anEventFromTheFutureIsNotTaken() {
        Instant future = Instant.parse("2099-01-01T00:00:00Z");
        assertThat(Plausibility.doubt(event(future, NOW), "billing-1/payments", NOW))
                .isEqualTo("its time 2099-01-01T00:00:00Z is more than 5 minutes ahead of this clock (2026-12-03T10:00:00Z)");
        assertThat(Plausibility.doubt(event(NOW, future), "billing-1/payments", NOW))
                .isEqualTo("its since 2099-01-01T00:00:00Z is more than 5 minutes ahead of this clock (2026-12-03T10:00:00Z)");
    }

    @Test
    void anEventUnderAnotherKeyIsNotTaken() {
        assertThat(Plausibility.doubt(event(NOW, NOW), "orders-1/payments\u001b[2J", NOW))
                .isEqualTo("its key 'orders-1/payments [2J' is not its body's ('billing-1/payments')");
    }

    /** A reader that shows the fleet judges keys only: a reader's clock behind would hide every instance. */
    @Test
    void withoutAClockTimesAreNotJudged() {
        Instant future = Instant.parse("2099-01-01T00:00:00Z");
        assertThat(Plausibility.doubt(event(future, future), "billing-1/payments", null)).isNull();
        assertThat(Plausibility.doubt(event(future, future), "other/payments", null)).startsWith("its key 'other/payments'");
    }
}
