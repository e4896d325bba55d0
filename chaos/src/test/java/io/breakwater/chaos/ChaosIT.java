package io.breakwater.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
    /** At least {@link ChaosRun#boundedWaits} of a 3-minute run (ChaosRunTest checks); a run takes about 6. */
    static final long TIMEOUT_MINUTES = 30;
    /**
     * The share of a workload's operations that may end in {@code fail}. Three 3-minute runs of seed 14 had at most
     * 0.06 % (every workload); 30-minute runs of seed 2026 had up to 1.03 % and 0.50 % for the workloads that refuse or
     * spill and 4.95 % and 2.64 % for the interceptor, which cannot refuse: what it sends while the cluster is away fails once its
     * delivery timeout ends, so its share follows how long the cluster is away. On a machine loaded by other builds
     * (load average 12 on 2 cores), nodes took twice as long to restart and a 3-minute run of seed 14 had 14.0 %
     * for the interceptor (the others stayed under 3 %). The bound leaves out the fails that expired in a stall of
     * their partition alone ({@link LoneStalls}), which no breaker can save: until their delivery timeout ends, their
     * stream hears the other partitions' acknowledgements. A cut or black hole of one node's client traffic makes such
     * stalls (a 3-minute run of seed 14: up to 45 per workload, after a cut of node 1 with a kill of the majority
     * behind it), and so does Kafka's idempotent producer when it retries one partition's batch with
     * {@code OUT_OF_ORDER_SEQUENCE_NUMBER} after a leader move (KAFKA-15591): in one
     * run, before the producers had one request in flight, a partition of the bus was retried so for about 40 s and 425
     * of its 8,070 events failed, those published to that partition over 18 s. They have a bound of their own,
     * {@link #MAX_LONE_STALL_SHARE}; the summary counts them per workload.
     */
    static final double MAX_FAIL_SHARE = 0.03;
    static final double MAX_FAIL_SHARE_INTERCEPTOR = 0.25;
    /**
     * The share of a workload's operations that may expire in stalls of their partition alone: a stall of one of the
     * three partitions for the delivery timeout (30 s) fails what that partition was sent in 30 s, a third of 30 s of a
     * 3-minute run, 5.6 % of its operations; this allows about two.
     */
    static final double MAX_LONE_STALL_SHARE = 0.12;

    @Test
    @Timeout(value = TIMEOUT_MINUTES, unit = TimeUnit.MINUTES)
    void aSeededScheduleOfMixedFaultsLosesNothingLeaksNothingAndLeavesNothingPending() throws Exception {
        String seed = Long.toString(Long.getLong("breakwater.chaos.seed", SEED));
        String minutes = System.getProperty("breakwater.chaos.minutes", Long.toString(MINUTES));
        ChaosOptions options = ChaosOptions.parse("--minutes", minutes, "--seed", seed, "--out", "target/chaos");

        ChaosRun.Result result = new ChaosRun(options, System.out).run();

        System.out.println(result.summary());
        assertThat(result.problems()).as("problems around the run").isEmpty();
        assertThat(result.unmet()).as("minimums the run missed").isEmpty();
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
        for (String workload : List.of("bus", "wrapper-blocking", "wrapper-nonblocking")) {
            assertThat(result.check().outcomes().get(workload).getOrDefault(Outcome.Kind.REJECTED, 0L))
                    .as("%s rejected", workload).isPositive();
        }
        Map<String, Long> lone = LoneStalls.count(result.history().ops());
        for (String workload : ChaosRun.WORKLOADS) {
            Map<Outcome.Kind, Long> outcomes = result.check().outcomes().get(workload);
            long total = outcomes.values().stream().mapToLong(Long::longValue).sum();
            double share = workload.equals("interceptor") ? MAX_FAIL_SHARE_INTERCEPTOR : MAX_FAIL_SHARE;
            long loneStalls = lone.getOrDefault(workload, 0L);
            assertThat(outcomes.getOrDefault(Outcome.Kind.FAIL, 0L) - loneStalls)
                    .as("%s fail of %d, besides %d expired in stalls of their partition alone", workload, total, loneStalls)
                    .isLessThan((long) (share * total));
            assertThat(loneStalls).as("%s fail of %d expired in stalls of their partition alone", workload, total)
                    .isLessThan((long) (MAX_LONE_STALL_SHARE * total));
        }
        for (FaultKind kind : FaultKind.values()) {
            assertThat(result.history().faults()).as("a start of %s", kind.label())
                    .anyMatch(f -> f.start() && f.kind() == kind);
        }
    }
}
