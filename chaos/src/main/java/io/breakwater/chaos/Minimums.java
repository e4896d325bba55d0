package io.breakwater.chaos;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a run must have done for its checks to mean something; a run that passed every check but missed one of
 * these tested too little, and fails:
 * <ul>
 * <li>every workload had at least {@value #OK_SHARE} of its rate acknowledged over the faults' minutes (a run of
 * this machine has about 0.6 of it: a breaker refuses, a spill takes, callers block while faults last);</li>
 * <li>every fault of the schedule took effect;</li>
 * <li>every kind of fault started and ended at least once;</li>
 * <li>each workload that can refuse (the EventBus without a spill, both wrapped producers) refused at least once,
 * and the EventBus with a spill spilled at least once.</li>
 * </ul>
 * Thread-safe: it keeps no state.
 */
final class Minimums {

    /** The share of the rate that must be acknowledged, over the minutes of faults. */
    static final double OK_SHARE = 0.2;
    static final List<String> REFUSING = List.of("bus", "wrapper-blocking", "wrapper-nonblocking");
    static final String SPILLING = "bus-spill";

    private Minimums() {
    }

    /** The minimums the run missed, each said in a line; empty when it met them all. */
    static List<String> unmet(List<String> workloads, Map<String, Map<Outcome.Kind, Long>> outcomes,
            List<History.FaultEvent> faults, int planned, int executed, double minutes, int rate) {
        List<String> unmet = new ArrayList<>();
        long okMin = (long) Math.ceil(OK_SHARE * rate * minutes * 60);
        for (String w : workloads) {
            long ok = count(outcomes, w, Outcome.Kind.OK);
            if (ok < okMin) {
                unmet.add(String.format(Locale.ROOT, "%s: %d ok, at least %d expected (%.1f of %d/s over %.2f min)",
                        w, ok, okMin, OK_SHARE, rate, minutes));
            }
        }
        if (executed != planned) {
            unmet.add("faults: " + executed + " took effect of " + planned + " planned");
        }
        Set<FaultKind> started = EnumSet.noneOf(FaultKind.class);
        Set<FaultKind> ended = EnumSet.noneOf(FaultKind.class);
        faults.forEach(e -> (e.start() ? started : ended).add(e.kind()));
        for (FaultKind kind : FaultKind.values()) {
            if (!started.contains(kind) || !ended.contains(kind)) {
                unmet.add("fault " + kind.label() + ": " + (started.contains(kind) ? "never ended" : "never started"));
            }
        }
        for (String w : REFUSING) {
            if (workloads.contains(w) && count(outcomes, w, Outcome.Kind.REJECTED) == 0) {
                unmet.add(w + ": nothing rejected (its breakers never refused)");
            }
        }
        if (workloads.contains(SPILLING) && count(outcomes, SPILLING, Outcome.Kind.SPILLED) == 0) {
            unmet.add(SPILLING + ": nothing spilled");
        }
        return List.copyOf(unmet);
    }

    private static long count(Map<String, Map<Outcome.Kind, Long>> outcomes, String workload, Outcome.Kind kind) {
        return outcomes.getOrDefault(workload, Map.of()).getOrDefault(kind, 0L);
    }
}
