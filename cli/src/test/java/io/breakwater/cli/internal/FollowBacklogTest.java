package io.breakwater.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FollowBacklogTest {

    @Test
    void holdsItsCapacityAndCountsWhatItCouldNotHold() throws InterruptedException {
        FollowBacklog<String> backlog = new FollowBacklog<>(2);
        backlog.accept("a");
        backlog.accept("b");
        backlog.accept("c");
        backlog.accept("d");

        assertThat(backlog.takeDropped()).isEqualTo(2);
        assertThat(backlog.takeDropped()).as("counted once").isZero();
        assertThat(backlog.poll(Duration.ZERO)).isEqualTo("a");
        backlog.accept("e");
        assertThat(backlog.poll(Duration.ZERO)).isEqualTo("b");
        assertThat(backlog.poll(Duration.ZERO)).isEqualTo("e");
        assertThat(backlog.poll(Duration.ofMillis(1))).as("nothing left").isNull();
        assertThat(backlog.takeDropped()).isZero();
    }

    @Test
    void aCapacityBelowOneIsRefusedByName() {
        assertThatThrownBy(() -> new FollowBacklog<String>(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be at least 1, but was 0");
    }
}
