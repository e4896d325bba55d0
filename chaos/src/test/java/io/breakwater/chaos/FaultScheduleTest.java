package io.breakwater.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {

    private static final long THIRTY_MINUTES = 30 * 60_000;

    @Test
    void theSameSeedGivesTheSameScheduleAndAnotherSeedAnother() {
        assertThat(FaultSchedule.generate(42, THIRTY_MINUTES)).isEqualTo(FaultSchedule.generate(42, THIRTY_MINUTES));
        assertThat(FaultSchedule.generate(43, THIRTY_MINUTES)).isNotEqualTo(FaultSchedule.generate(42, THIRTY_MINUTES));
    }

    @Test
    void everyFaultKeepsToItsRangesAndToTheRun() {
        for (long seed = 0; seed < 50; seed++) {
            for (Fault f : FaultSchedule.generate(seed, THIRTY_MINUTES)) {
                long min = f.kind() == FaultKind.ALL_DOWN ? 10_000 : 2_000;
                assertThat(f.durationMillis()).as(f.describe()).isBetween(min, 30_000L);
                assertThat(f.startMillis()).as(f.describe()).isGreaterThanOrEqualTo(FaultSchedule.WARM_UP_MILLIS);
                assertThat(f.endMillis()).as(f.describe()).isLessThanOrEqualTo(THIRTY_MINUTES);
                assertThat(new HashSet<>(f.nodes())).as(f.describe()).hasSize(f.kind().nodes).allMatch(n -> n >= 0 && n < 3);
                if (f.kind() == FaultKind.LATENCY) {
                    assertThat(f.latencyMillis()).as(f.describe()).isBetween(50, 1_000);
                } else {
                    assertThat(f.latencyMillis()).as(f.describe()).isZero();
                }
            }
        }
    }

    @Test
    void faultsOverlapSometimesButNeverOnTheSameNodesProcessOrProxy() {
        int overlaps = 0;
        for (long seed = 0; seed < 50; seed++) {
            List<Fault> faults = FaultSchedule.generate(seed, THIRTY_MINUTES);
            for (int i = 0; i < faults.size(); i++) {
                for (int j = i + 1; j < faults.size(); j++) {
                    Fault a = faults.get(i);
                    Fault b = faults.get(j);
                    if (b.startMillis() < a.endMillis()) {
                        overlaps++;
                    }
                    long aFree = a.endMillis() + (a.kind().onProcesses() ? FaultSchedule.RESTART_ALLOWANCE_MILLIS : 0);
                    if (FaultSchedule.shareResource(a, b)) {
                        assertThat(b.startMillis()).as("%s then %s", a.describe(), b.describe()).isGreaterThanOrEqualTo(aFree);
                    }
                }
            }
        }
        assertThat(overlaps).as("overlapping pairs in 50 schedules of 30 minutes").isGreaterThan(100);
    }

    @Test
    void everyEightFaultsInARowHoldEveryKind() {
        List<Fault> faults = FaultSchedule.generate(7, THIRTY_MINUTES);
        assertThat(faults.size()).isGreaterThan(40);
        for (int round = 0; round + 8 <= faults.size(); round += 8) {
            Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
            faults.subList(round, round + 8).forEach(f -> kinds.add(f.kind()));
            assertThat(kinds).as("faults %d to %d", round + 1, round + 8).hasSize(FaultKind.values().length);
        }
    }

    @Test
    void theScheduleOfChaosItHoldsEveryKindOfFault() {
        Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
        FaultSchedule.generate(ChaosIT.SEED, ChaosIT.MINUTES * 60_000).forEach(f -> kinds.add(f.kind()));
        assertThat(kinds).containsExactlyInAnyOrder(FaultKind.values());
    }

    @Test
    void aRunWithoutLengthIsRefused() {
        assertThatThrownBy(() -> FaultSchedule.generate(1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("runMillis must be > 0, but was 0");
        assertThat(FaultSchedule.generate(1, 5_000)).as("shorter than the warm-up").isEmpty();
    }
}
