package io.breakwater.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeded 3-minute chaos run inside {@code mvn verify}: three forked KRaft nodes behind fault proxies, the five
 * workloads at once, the nemesis schedule of seed {@value #SEED} (every kind of fault, some overlapping), then every
 * topic read back and the history checked: nothing acknowledged lost, nothing rejected leaked, nothing pending, no
 * acknowledged event out of order or twice. {@code -Dbreakwater.chaos.seed=S -Dbreakwater.chaos.minutes=N} runs
 * another schedule. The summary is printed and kept, with the history, in {@code target/chaos}.
 */
class ChaosIT {

    static final long SEED = 14;
    static final long MINUTES = 3;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aSeededScheduleOfMixedFaultsLosesNothingLeaksNothingAndLeavesNothingPending() throws Exception {
        String seed = Long.toString(Long.getLong("breakwater.chaos.seed", SEED));
        String minutes = System.getProperty("breakwater.chaos.minutes", Long.toString(MINUTES));
        ChaosOptions options = ChaosOptions.parse("--minutes", minutes, "--seed", seed, "--out", "target/chaos");

        ChaosRun.Result result = new ChaosRun(options, System.out).run();

        System.out.println(result.summary());
        assertThat(result.problems()).as("problems around the run").isEmpty();
        assertThat(result.check().violations()).as("violations; the first of each check:\n%s",
                String.join("\n", Report.offenders(result.check()))).isEmpty();
        // It all happened: every fault of the schedule, and every workload saw acknowledgements and its breakers move.
        assertThat(result.executed()).as("faults that took effect").isEqualTo(result.planned()).isGreaterThanOrEqualTo(8);
        for (String workload : ChaosRun.WORKLOADS) {
            Map<Outcome.Kind, Long> outcomes = result.check().outcomes().get(workload);
            assertThat(outcomes.getOrDefault(Outcome.Kind.OK, 0L)).as("%s acknowledged", workload).isGreaterThan(1_000);
            assertThat(result.history().transitions()).as("%s transitions", workload)
                    .anyMatch(t -> t.workload().equals(workload));
        }
        assertThat(result.check().outcomes().get("bus-spill").getOrDefault(Outcome.Kind.SPILLED, 0L)).as("spilled")
                .isPositive();
        assertThat(result.check().outcomes().get("bus").getOrDefault(Outcome.Kind.REJECTED, 0L)).as("rejected")
                .isPositive();
    }
}
