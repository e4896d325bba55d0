package io.breakwater.interceptors.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HandOffTest {

    /** Equal to any other with the same value, as a caller's record class is. */
    record Value(String value) {
    }

    @Test
    void removeTakesTheElementItselfNotAnEqualOneQueuedBeforeIt() {
        HandOff<Value> queue = new HandOff<>(10, Duration.ofMillis(100), Thread.currentThread());
        Value first = new Value("same");
        Value second = new Value("same");
        assertThat(first).isEqualTo(second).isNotSameAs(second);
        assertThat(queue.offer(first)).isTrue();
        assertThat(queue.offer(second)).isTrue();

        assertThat(queue.remove(second)).isTrue();
        assertThat(queue.size()).isEqualTo(1);
        assertThat(queue.poll()).isSameAs(first);
        assertThat(queue.remove(second)).as("gone already").isFalse();
        assertThat(queue.size()).isZero();
    }
}
