package io.breakwater.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoneStallsTest {

    private static final Outcome EXPIRED = new Outcome(Outcome.Kind.FAIL, -1, -1, "TimeoutException");

    private final List<History.Op> ops = new ArrayList<>();

    /** An operation of {@code workload} under {@code key}, invoked at {@code invoke} s and completed at {@code complete} s. */
    private void op(String workload, String key, long invoke, long complete, Outcome outcome) {
        ops.add(new History.Op(workload + "-" + ops.size(), workload, key, ops.size(), invoke * 1_000_000, 10,
                complete * 1_000_000, outcome));
    }

    /** Keys a, b and c of the bus on partitions 1, 0 and 2, each acknowledged once before anything else. */
    @BeforeEach
    void keysOnTheirPartitions() {
        op("bus", "a", 0, 1, Outcome.ok(1, 0));
        op("bus", "b", 0, 1, Outcome.ok(0, 0));
        op("bus", "c", 0, 1, Outcome.ok(2, 0));
    }

    @Test
    void anExpiryWhileEveryOtherPartitionAcknowledgedAndItsOwnNothingIsALoneStall() {
        op("bus", "a", 10, 40, EXPIRED);
        op("bus", "a", 11, 41, EXPIRED);
        op("bus", "b", 12, 13, Outcome.ok(0, 1));
        op("bus", "c", 10, 40, Outcome.ok(2, 1)); // invoked and answered exactly at the ends of the first expiry's life
        op("bus", "c", 11, 41, Outcome.ok(2, 2)); // and of the second's

        assertThat(LoneStalls.count(ops)).isEqualTo(Map.of("bus", 2L));
    }

    @Test
    void anExpiryWhileNothingElseWasAcknowledgedIsAnOutageNotALoneStall() {
        op("bus", "a", 10, 40, EXPIRED);
        op("bus", "b", 10, 40, EXPIRED);
        op("bus", "b", 20, 45, Outcome.ok(0, 1)); // acknowledged on another partition, but after the expiry
        op("bus", "c", 5, 15, Outcome.ok(2, 1)); // and one invoked before it
        // Refused, spilled and unanswered operations meanwhile: no partition served them.
        op("bus", "b", 12, 12, new Outcome(Outcome.Kind.REJECTED, -1, -1, "CircuitBreakerOpenException"));
        op("bus", "c", 13, 14, Outcome.SPILLED);
        op("bus", "c", 14, -1, Outcome.PENDING);

        assertThat(LoneStalls.count(ops)).isEmpty();
    }

    @Test
    void aStallOfTwoPartitionsOrAnExpiryOfAPartitionThatWasServedIsNotALoneStall() {
        op("bus", "a", 10, 40, EXPIRED);
        op("bus", "b", 12, 13, Outcome.ok(0, 1)); // partition 0 answered, partition 2 did not
        assertThat(LoneStalls.count(ops)).as("two partitions stalled").isEmpty();

        op("bus", "c", 12, 13, Outcome.ok(2, 1));
        op("bus", "a", 14, 15, Outcome.ok(1, 1)); // and its own partition answered meanwhile
        assertThat(LoneStalls.count(ops)).as("its own partition served").isEmpty();
    }

    @Test
    void onlyTheSameWorkloadsAcknowledgementsAndOnlyExpiriesOfKnownKeysCount() {
        op("interceptor", "x", 12, 13, Outcome.ok(0, 0)); // another workload answered
        op("interceptor", "y", 12, 13, Outcome.ok(2, 0));
        op("bus", "a", 10, 40, EXPIRED);
        assertThat(LoneStalls.count(ops)).isEmpty();

        op("bus", "b", 12, 13, Outcome.ok(0, 1));
        op("bus", "c", 12, 13, Outcome.ok(2, 1));
        op("bus", "a", 10, 40, new Outcome(Outcome.Kind.FAIL, -1, -1, "NotEnoughReplicasException"));
        op("bus", "never-acknowledged", 10, 40, EXPIRED);
        assertThat(LoneStalls.count(ops)).as("the first expiry of a alone").isEqualTo(Map.of("bus", 1L));
    }
}
