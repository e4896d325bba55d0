package io.breakwater.breaker.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallTrackerTest {

    private final ManualClock clock = new ManualClock();
    private final CallTracker tracker = new CallTracker("t", clock::nanoTime, Duration.ofSeconds(1), Duration.ofSeconds(2), 16);
    private final List<String> expired = new ArrayList<>();

    private final class Named extends CallTracker.Call {
        final String name;

        Named(String name) {
            super(clock.nanoTime());
            this.name = name;
        }

        @Override
        protected void expired(boolean blocked, long ageNanos) {
            expired.add(name + (blocked ? " blocked " : " unanswered ") + ageNanos / 1_000_000);
        }
    }

    private Named begin(String name, boolean returned) {
        Named call = new Named(name);
        tracker.begin(call);
        if (returned) {
            tracker.returned(call);
        }
        return call;
    }

    @Test
    void anExpiredCallStillCountsAsPendingUntilItsAnswerComes() {
        Named stuck = begin("stuck", true);
        clock.advance(Duration.ofMillis(500));
        Named quick = begin("quick", true);
        assertThat(tracker.answer(quick)).isTrue();
        clock.advance(Duration.ofMillis(1500));
        tracker.run();
        assertThat(expired).containsExactly("stuck unanswered 2000");
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(Duration.ofSeconds(2).toNanos());
        clock.advance(Duration.ofSeconds(3));
        tracker.run();
        assertThat(expired).as("expired once only").hasSize(1);
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(tracker.answer(stuck)).as("its late answer is not recorded again").isFalse();
        tracker.run();
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(-1);
    }

    @Test
    void aBlockedCallExpiresAtTheBlockThresholdAndStaysPending() {
        Named blocked = begin("blocked", false);
        clock.advance(Duration.ofSeconds(1));
        tracker.run();
        assertThat(expired).containsExactly("blocked blocked 1000");
        tracker.returned(blocked);
        clock.advance(Duration.ofSeconds(2));
        tracker.run();
        assertThat(expired).as("returning does not make it expire again").hasSize(1);
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(Duration.ofSeconds(3).toNanos());
    }

    @Test
    void withNothingPendingTheAgeIsMinusOne() {
        tracker.run();
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(-1);
        Named call = begin("a", true);
        tracker.answer(call);
        tracker.run();
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(-1);
    }

    @Test
    void theOldestIsFoundEvenBehindALaterTicketThatBeganEarlier() {
        Named early = new Named("early");       // read the clock, then paused before its ticket
        clock.advance(Duration.ofMillis(700));
        begin("later", true);
        tracker.begin(early);
        tracker.returned(early);
        tracker.run();
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(Duration.ofMillis(700).toNanos());
    }
}
