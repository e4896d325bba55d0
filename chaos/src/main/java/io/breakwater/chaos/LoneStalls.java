package io.breakwater.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the {@code fail}s that expired on one partition while the cluster served the rest of their workload: an
 * operation that failed with {@code TimeoutException} (the producer's delivery timeout), during whose life (from its
 * invocation to its failure) the same workload had another operation invoked and acknowledged on another partition.
 *
 * <p>A breaker that counts consecutive failures (the {@code kafka} preset) cannot open on such a stall: the stuck
 * partition's expiries alternate with the others' acknowledgements. The run meets them when Kafka's idempotent
 * producer keeps retrying one partition's batch with {@code OUT_OF_ORDER_SEQUENCE_NUMBER} after a leader move until
 * the delivery timeout (KAFKA-15591), so the run reports them beside its {@code fail}s and bounds the others.
 * A partition is known from the key's acknowledged operations (the default partitioner sends a key to one partition);
 * a fail whose key was never acknowledged is not counted.
 */
final class LoneStalls {

    private LoneStalls() {
    }

    /** Per workload, its fails that expired alone on their partition (workloads with none are absent). */
    static Map<String, Long> count(List<History.Op> ops) {
        Map<String, Map<String, Integer>> partitionOfKey = new HashMap<>();
        Map<String, List<History.Op>> acknowledged = new HashMap<>();
        for (History.Op op : ops) {
            if (op.outcome().kind() == Outcome.Kind.OK) {
                partitionOfKey.computeIfAbsent(op.workload(), w -> new HashMap<>()).put(op.key(), op.outcome().partition());
                acknowledged.computeIfAbsent(op.workload(), w -> new ArrayList<>()).add(op);
            }
        }
        Map<String, Long> lone = new TreeMap<>();
        for (History.Op op : ops) {
            if (op.outcome().kind() != Outcome.Kind.FAIL || !op.outcome().detail().equals("TimeoutException")) {
                continue;
            }
            Integer partition = partitionOfKey.getOrDefault(op.workload(), Map.of()).get(op.key());
            if (partition != null && servedElsewhere(op, partition, acknowledged.getOrDefault(op.workload(), List.of()))) {
                lone.merge(op.workload(), 1L, Long::sum);
            }
        }
        return lone;
    }

    private static boolean servedElsewhere(History.Op fail, int partition, List<History.Op> acknowledged) {
        for (History.Op ok : acknowledged) {
            if (ok.outcome().partition() != partition && ok.invokeMicros() >= fail.invokeMicros()
                    && ok.completeMicros() <= fail.completeMicros()) {
                return true;
            }
        }
        return false;
    }
}
