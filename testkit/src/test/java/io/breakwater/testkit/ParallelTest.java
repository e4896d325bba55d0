package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void oneFailureThrownByEveryItemIsThrownOnce() {
        IllegalStateException shared = new IllegalStateException("down");

        Throwable thrown = catchThrowable(() -> Parallel.forEach("fail", List.of(1, 2, 3), i -> {
            throw shared;
        }));

        assertThat(thrown).isSameAs(shared);
        assertThat(shared.getSuppressed()).isEmpty();
    }

    @Test
    void theFirstFailureCarriesTheOthersAsSuppressed() {
        Throwable thrown = catchThrowable(() -> Parallel.forEach("fail", List.of(1, 2, 3), i -> {
            throw new IllegalStateException("item " + i);
        }));

        assertThat(thrown).isInstanceOf(IllegalStateException.class);
        assertThat(thrown.getSuppressed()).hasSize(2);
    }
}
