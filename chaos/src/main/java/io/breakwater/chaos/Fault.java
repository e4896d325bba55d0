package io.breakwater.chaos;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One fault of a schedule.
 *
 * @param id             its number in the schedule, from 1
 * @param kind           what it does
 * @param nodes          the nodes it takes (0-based)
 * @param startMillis    when it begins, from the start of the run
 * @param durationMillis how long it lasts
 * @param latencyMillis  the delay of a {@link FaultKind#LATENCY} fault, else 0
 */
record Fault(int id, FaultKind kind, List<Integer> nodes, long startMillis, long durationMillis, int latencyMillis) {

    Fault {
        nodes = List.copyOf(nodes);
    }

    long endMillis() {
        return startMillis + durationMillis;
    }

    /** {@code 0,2}. */
    String nodeList() {
        return nodes.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** {@code #3 latency 420 ms on node 1 at 42.0 s for 12.5 s}. */
    String describe() {
        return "#" + id + " " + kind.label() + (kind == FaultKind.LATENCY ? " " + latencyMillis + " ms" : "")
                + " on node" + (nodes.size() > 1 ? "s " : " ") + nodeList()
                + String.format(java.util.Locale.ROOT, " at %.1f s for %.1f s", startMillis / 1e3, durationMillis / 1e3);
    }
}
