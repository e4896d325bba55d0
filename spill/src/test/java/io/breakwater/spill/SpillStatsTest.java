package io.breakwater.spill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SpillStatsTest {

    @Test
    void anEmptySpillHasNoBytesAndNoOldest() {
        assertThat(SpillStats.EMPTY.isEmpty()).isTrue();
        assertThat(new SpillStats(1, 0, 5).isEmpty()).isFalse();
        assertThatThrownBy(() -> new SpillStats(0, 3, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an empty spill has 0 bytes and oldestSpilledAtMillis -1, but had 3, -1");
        assertThatThrownBy(() -> new SpillStats(-1, 0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("events, bytes must be >= 0 and oldestSpilledAtMillis >= -1, but were -1, 0, -1");
    }
}
