package io.breakwater.chaos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the {@code fail}s that expired in a stall of their partition alone: an operation that failed with
 * {@code TimeoutException} (the producer's delivery timeout) while, from its invocation to its failure, its own partition
 * acknowledged nothing of its workload and each of the workload's other partitions acknowledged an operation invoked
 * and answered within that time.
 *
 * <p>A breaker cannot save the events of such a stall. The stuck partition's sends fail only once their delivery timeout
 * ends, and until then their stream's breaker hears the other partitions' acknowledgements (the {@code kafka} preset
 * counts consecutive failures), so what was published to that partition within the delivery timeout before the first
 * expiry fails. The run meets such stalls when a fault on one node's client traffic (a cut, a black hole) stalls the
 * partitions it leads while the others answer, and when Kafka's idempotent producer keeps retrying one partition's batch
 * with {@code OUT_OF_ORDER_SEQUENCE_NUMBER} after a leader move until the delivery timeout (KAFKA-15591); it reports
 * them beside its {@code fail}s and bounds them apart. A partition is known from the key's acknowledged operations (the
 * default partitioner sends a key to one partition); a fail whose key was never acknowledged is not counted.
 */
final class LoneStalls {

    private LoneStalls() {
    }

    /** Per workload, its fails that expired in a stall of their partition alone (workloads with none are absent). */
    static Map<String, Long> count(List<History.Op> ops) {
        Map<String, Map<String, Integer>> partitionOfKey = new HashMap<>();
        Map<String, Map<Integer, List<History.Op>>> acknowledged = new HashMap<>();
        for (History.Op op : ops) {
            if (op.outcome().kind() == Outcome.Kind.OK) {
                partitionOfKey.computeIfAbsent(op.workload(), w -> new HashMap<>()).put(op.key(), op.outcome().partition());
                acknowledged.computeIfAbsent(op.workload(), w -> new TreeMap<>())
                        .computeIfAbsent(op.outcome().partition(), p -> new ArrayList<>()).add(op);
            }
        }
        Map<String, Map<Integer, Acks>> acks = new HashMap<>();
        acknowledged.forEach((workload, byPartition) -> {
            Map<Integer, Acks> sorted = new TreeMap<>();
            byPartition.forEach((partition, list) -> sorted.put(partition, new Acks(list)));
            acks.put(workload, sorted);
        });
        Map<String, Long> lone = new TreeMap<>();
        for (History.Op op : ops) {
            if (op.outcome().kind() != Outcome.Kind.FAIL || !op.outcome().detail().equals("TimeoutException")) {
                continue;
            }
            Integer partition = partitionOfKey.getOrDefault(op.workload(), Map.of()).get(op.key());
            if (partition != null && alone(op, partition, acks.get(op.workload()))) {
                lone.merge(op.workload(), 1L, Long::sum);
            }
        }
        return lone;
    }

    /** Whether, within the life of {@code fail}, its partition acknowledged nothing and every other partition something. */
    private static boolean alone(History.Op fail, int partition, Map<Integer, Acks> byPartition) {
        if (byPartition.size() < 2) {
            return false;
        }
        for (Map.Entry<Integer, Acks> e : byPartition.entrySet()) {
            boolean served = e.getValue().anyWithin(fail.invokeMicros(), fail.completeMicros());
            if (served == (e.getKey() == partition)) {
                return false;
            }
        }
        return true;
    }

    /** The acknowledged operations of one partition, by invocation time. */
    private static final class Acks {
        private final long[] invoked;
        private final long[] completed;

        Acks(List<History.Op> ops) {
            History.Op[] sorted = ops.toArray(History.Op[]::new);
            Arrays.sort(sorted, Comparator.comparingLong(History.Op::invokeMicros));
            invoked = new long[sorted.length];
            completed = new long[sorted.length];
            for (int i = 0; i < sorted.length; i++) {
                invoked[i] = sorted[i].invokeMicros();
                completed[i] = sorted[i].completeMicros();
            }
        }

        /** Whether an operation was invoked at or after {@code from} and acknowledged at or before {@code to}. */
        boolean anyWithin(long from, long to) {
            int lo = 0;
            int hi = invoked.length;
            while (lo < hi) {   // the first invoked at or after from
                int mid = (lo + hi) >>> 1;
                if (invoked[mid] < from) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            for (int i = lo; i < invoked.length && invoked[i] <= to; i++) {
                if (completed[i] <= to) {
                    return true;
                }
            }
            return false;
        }
    }
}
