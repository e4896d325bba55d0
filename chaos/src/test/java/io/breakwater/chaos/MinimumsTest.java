package io.breakwater.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MinimumsTest {

    private static final double MINUTES = 3;
    private static final int RATE = 40;

    /** Per workload: 2,000 ok (1,440 needed for 3 min at 40/s), a refusal, a spill. */
    private static Map<String, Map<Outcome.Kind, Long>> enough() {
        Map<String, Map<Outcome.Kind, Long>> outcomes = new TreeMap<>();
        for (String w : ChaosRun.WORKLOADS) {
            Map<Outcome.Kind, Long> c = new EnumMap<>(Outcome.Kind.class);
            c.put(Outcome.Kind.OK, 2_000L);
            c.put(w.equals("bus-spill") ? Outcome.Kind.SPILLED : Outcome.Kind.REJECTED, 1L);
            outcomes.put(w, c);
        }
        return outcomes;
    }

    private static List<History.FaultEvent> everyKindStartedAndEnded() {
        List<History.FaultEvent> faults = new ArrayList<>();
        for (FaultKind kind : FaultKind.values()) {
            faults.add(new History.FaultEvent(1, 1, true, kind.ordinal() + 1, kind, "0", ""));
            faults.add(new History.FaultEvent(2, 2, false, kind.ordinal() + 1, kind, "0", ""));
        }
        return faults;
    }

    @Test
    void aRunThatDidItAllMeetsEveryMinimum() {
        assertThat(Minimums.unmet(ChaosRun.WORKLOADS, enough(), everyKindStartedAndEnded(), 8, 8, MINUTES, RATE)).isEmpty();
    }

    @Test
    void aRunThatTestedNothingFailsAndSaysWhichMinimumsItMissed() {
        Map<String, Map<Outcome.Kind, Long>> outcomes = enough();
        outcomes.get("interceptor").put(Outcome.Kind.OK, 1_439L);
        outcomes.get("wrapper-blocking").remove(Outcome.Kind.REJECTED);
        outcomes.get("bus-spill").remove(Outcome.Kind.SPILLED);
        List<History.FaultEvent> faults = everyKindStartedAndEnded();
        faults.removeIf(e -> e.kind() == FaultKind.ALL_DOWN && !e.start());
        faults.removeIf(e -> e.kind() == FaultKind.FREEZE);

        assertThat(Minimums.unmet(ChaosRun.WORKLOADS, outcomes, faults, 8, 7, MINUTES, RATE)).containsExactly(
                "interceptor: 1439 ok, at least 1440 expected (0.2 of 40/s over 3.00 min)",
                "faults: 7 took effect of 8 planned",
                "fault freeze: never started",
                "fault all-down: never ended",
                "wrapper-blocking: nothing rejected (its breakers never refused)",
                "bus-spill: nothing spilled");
    }

    @Test
    void anEmptyRunFailsEvenWithNoViolations() {
        Checker.Result nothing = Checker.check(List.of(), Map.of());
        List<String> unmet = Minimums.unmet(ChaosRun.WORKLOADS, nothing.outcomes(), List.of(), 0, 0, MINUTES, RATE);
        ChaosRun.Result result = new ChaosRun.Result(nothing, null, null, null, "", List.of(), 0, 0, unmet);
        assertThat(nothing.passed()).isTrue();
        assertThat(result.passed()).isFalse();
        assertThat(unmet).hasSize(ChaosRun.WORKLOADS.size() + FaultKind.values().length + 3 + 1);
    }
}
