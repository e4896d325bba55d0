package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.StateTransition;
import io.breakwater.testkit.ForkedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No false opens: a slow cluster is not a dead one. On a warmed-up forked broker, every guard (the wrapper,
 * the interceptor, the EventBus), each with its default settings and driven as in {@link OutageMatrixIT} (one
 * caller not waiting, one waiting for each answer, four not waiting; about 50 calls a second per caller),
 * sends through {@value #LATENCY_MS} ms of added latency each way for {@value #SECONDS} s; no breaker may
 * leave CLOSED.
 */
@Timed
class LatencyNoFalseOpenIT {

    static final int LATENCY_MS = 300;
    static final int SECONDS = 30;

    /** A lane's counters at one moment. */
    private record Tally(long acks, long failures, long slowestAckMillis) {
        static Tally of(Lane lane) {
            return new Tally(lane.acks(), lane.failures(), lane.slowestAckMillis());
        }
    }

    @Test
    @Timeout(150)
    void threeHundredMillisecondsEachWayForThirtySecondsOpensNoBreaker() throws Exception {
        String run = "latency-" + UUID.randomUUID().toString().substring(0, 6);
        List<Lane> lanes = new ArrayList<>();
        Map<Lane, Tally> atStart = new HashMap<>();
        Map<Lane, Tally> atEnd = new HashMap<>();
        Map<String, CircuitBreakerState> statesAtTheEnd = new HashMap<>();
        long from;
        long until;
        try (ForkedKafkaBroker broker = ForkedKafkaBroker.start()) {
            try {
                for (Lane.Guard guard : Lane.Guard.values()) {
                    for (Lane.Callers callers : Lane.Callers.values()) {
                        lanes.add(Lane.of(guard, callers, broker.bootstrapServers(),
                                run + "-" + guard.label + "-" + callers.name().toLowerCase().replace('_', '-')));
                    }
                }
                Records.createTopics(broker.bootstrapServers(), lanes.stream().map(Lane::topic).toList());
                lanes.forEach(Lane::start);
                await("every lane has 20 acknowledgements").atMost(Duration.ofSeconds(60))
                        .until(() -> lanes.stream().allMatch(l -> l.acks() >= 20));
                lanes.forEach(l -> {
                    l.resetSlowestAck();
                    atStart.put(l, Tally.of(l));
                });

                from = System.nanoTime();
                broker.proxy().latency(Duration.ofMillis(LATENCY_MS));
                // Wait out the period while checking that the load goes on: every lane keeps getting answers.
                await(SECONDS + " s of traffic through " + LATENCY_MS + " ms of latency each way")
                        .during(Duration.ofSeconds(SECONDS)).atMost(Duration.ofSeconds(SECONDS + 10))
                        .pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> assertThat(lanes).allSatisfy(l -> assertThat(l.millisSinceLastAnswer())
                                .as("%s: ms since a call came back", l).isLessThan(10_000)));
                until = System.nanoTime();
                lanes.forEach(l -> {
                    atEnd.put(l, Tally.of(l));
                    l.watches().forEach(w -> statesAtTheEnd.put(w.breaker().name(), w.breaker().state()));
                });
                broker.proxy().pass();
            } finally {
                Lane.closeAll(lanes, Duration.ofSeconds(5));
            }
        }

        List<StateTransition> moved = new ArrayList<>();
        StringBuilder report = new StringBuilder("Under " + LATENCY_MS + " ms each way for " + SECONDS + " s:\n");
        for (Lane lane : lanes) {
            Tally start = atStart.get(lane);
            Tally end = atEnd.get(lane);
            report.append(String.format("  %-40s %6d acks, %4d failures, slowest ack %5d ms%n",
                    lane.guard().label + " · " + lane.callers().label, end.acks() - start.acks(),
                    end.failures() - start.failures(), end.slowestAckMillis()));
            for (BreakerWatch watch : lane.watches()) {
                moved.addAll(watch.between(Long.MIN_VALUE, until));
            }
        }
        System.out.print(report);
        assertThat(moved).as("transitions of any breaker, from warm-up to the end of the latency period").isEmpty();
        assertThat(statesAtTheEnd).as("every breaker at the end of the latency period").hasSize(12)
                .allSatisfy((name, state) -> assertThat(state).as(name).isEqualTo(CircuitBreakerState.CLOSED));
        assertThat(lanes).allSatisfy(lane -> assertThat(atEnd.get(lane).acks() - atStart.get(lane).acks())
                .as("%s: acknowledgements under latency (the load was real)", lane).isGreaterThanOrEqualTo(10));
        assertThat(Duration.ofNanos(until - from)).isGreaterThanOrEqualTo(Duration.ofSeconds(SECONDS));
    }
}
