package io.breakwater.breaker.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class TrackerLimitsTest {

    private static final LongSupplier CLOCK = System::nanoTime;
    private static final Duration ONE = Duration.ofSeconds(1);

    @Test
    void badArgumentsAreNamedWithTheirValue() {
        assertThatThrownBy(() -> new TrackerLimits(null, ONE, ONE, 8, true)).isInstanceOf(NullPointerException.class)
                .hasMessage("nanoClock");
        assertThatThrownBy(() -> new TrackerLimits(CLOCK, null, ONE, 8, true)).isInstanceOf(NullPointerException.class)
                .hasMessage("blockThreshold");
        assertThatThrownBy(() -> new TrackerLimits(CLOCK, ONE, null, 8, true)).isInstanceOf(NullPointerException.class)
                .hasMessage("answerThreshold");
        assertThatThrownBy(() -> new TrackerLimits(CLOCK, Duration.ZERO, ONE, 8, true))
                .hasMessage("blockThreshold must be > 0, but was PT0S");
        assertThatThrownBy(() -> new TrackerLimits(CLOCK, ONE, Duration.ofMillis(-5), 8, true))
                .hasMessage("answerThreshold must be > 0, but was PT-0.005S");
        for (int capacity : new int[] {0, -8, 3, 100}) {
            assertThatThrownBy(() -> new TrackerLimits(CLOCK, ONE, ONE, capacity, true))
                    .hasMessage("capacity must be a power of 2, but was " + capacity);
        }
    }

    @Test
    void trackersShareOneLimitsAndATrackerNeedsANameAndLimits() {
        TrackerLimits limits = new TrackerLimits(CLOCK, ONE, Duration.ofSeconds(2), 1 << 12, true);
        CallTracker a = new CallTracker("a", limits);
        CallTracker b = new CallTracker("b", limits);
        assertThat(a.limits()).isSameAs(b.limits()).isSameAs(limits);
        assertThat(limits.answerNanos()).isEqualTo(2_000_000_000L);
        assertThatThrownBy(() -> new CallTracker("c", null)).isInstanceOf(NullPointerException.class).hasMessage("limits");
        assertThatThrownBy(() -> new CallTracker(null, limits)).isInstanceOf(NullPointerException.class).hasMessage("name");
    }

    @Test
    void aFirstRingIsNeverLargerThanTheCapacity() {
        assertThat(new TrackerLimits(CLOCK, ONE, ONE, 2, false).firstSlots).isEqualTo(2);
        assertThat(new TrackerLimits(CLOCK, ONE, ONE, 1 << 16, false).firstSlots).isEqualTo(CallRing.FIRST_SLOTS);
    }
}
