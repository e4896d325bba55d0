package io.breakwater.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoneStallsTest {

    private static final Outcome EXPIRED = new Outcome(Outcome.Kind.FAIL, -1, -1, "TimeoutException");

    private final List<History.Op> ops = new ArrayList<>();

    /** An operation of {@code workload} under {@code key}, invoked at {@code invoke} s and completed at {@code complete} s. */
    private void op(String workload, String key, long invoke, long complete, Outcome outcome) {
        ops.add(new History.Op(workload + "-" + ops.size(), workload, key, ops.size(), invoke * 1_000_000, 10,
                complete * 1_000_000, outcome));
    }

    @Test
    void anExpiryWhileAnotherPartitionWasAcknowledgedIsAStallOfItsPartitionAlone() {
        op("bus", "a", 0, 1, Outcome.ok(1, 0)); // key a is on partition 1
        op("bus", "a", 10, 40, EXPIRED);
        op("bus", "b", 12, 13, Outcome.ok(0, 0)); // partition 0 answered meanwhile
        op("bus", "a", 11, 41, EXPIRED);

        assertThat(LoneStalls.count(ops)).isEqualTo(Map.of("bus", 2L));
    }

    @Test
    void anExpiryWhileNothingElseWasAcknowledgedIsAnOutageNotALoneStall() {
        op("bus", "a", 0, 1, Outcome.ok(1, 0));
        op("bus", "b", 0, 1, Outcome.ok(0, 0));
        op("bus", "a", 10, 40, EXPIRED);
        op("bus", "b", 10, 40, EXPIRED);
        op("bus", "b", 20, 45, Outcome.ok(0, 1)); // acknowledged on another partition, but after the expiry
        op("bus", "b", 5, 15, Outcome.ok(0, 2)); // and one invoked before it

        assertThat(LoneStalls.count(ops)).isEmpty();
    }

    @Test
    void onlyTheSameWorkloadsOtherPartitionsAndOnlyExpiriesCount() {
        op("bus", "a", 0, 1, Outcome.ok(1, 0));
        op("bus", "a", 12, 13, Outcome.ok(1, 1)); // its own partition answered: not a lone stall of it
        op("interceptor", "x", 12, 13, Outcome.ok(0, 0)); // another workload answered
        op("bus", "a", 10, 40, EXPIRED);
        op("bus", "c", 0, 1, Outcome.ok(2, 0));
        op("bus", "c", 12, 13, Outcome.ok(2, 1));
        op("bus", "a", 10, 40, new Outcome(Outcome.Kind.FAIL, -1, -1, "NotEnoughReplicasException"));
        op("bus", "never-acknowledged", 10, 40, EXPIRED);

        assertThat(LoneStalls.count(ops)).isEqualTo(Map.of("bus", 1L)); // the expiry of a, while c's partition answered
        ops.removeIf(o -> o.key().equals("c"));
        assertThat(LoneStalls.count(ops)).isEmpty();
    }
}
