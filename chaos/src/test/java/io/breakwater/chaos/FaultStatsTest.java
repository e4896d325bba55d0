package io.breakwater.chaos;

import static io.breakwater.breaker.CircuitBreakerState.CLOSED;
import static io.breakwater.breaker.CircuitBreakerState.HALF_OPEN;
import static io.breakwater.breaker.CircuitBreakerState.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreakerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultStatsTest {

    private static final List<String> WORKLOADS = List.of("bus", "wrapper-blocking");

    private final List<History.Transition> transitions = new ArrayList<>();
    private final List<History.FaultEvent> faults = new ArrayList<>();
    private final List<History.Op> ops = new ArrayList<>();

    private void move(double seconds, String breaker, CircuitBreakerState from, CircuitBreakerState to) {
        transitions.add(new History.Transition((long) (seconds * 1e6), "bus", breaker, from, to, ""));
    }

    private void fault(int id, FaultKind kind, double start, Double end) {
        fault(id, kind, start, start, end, end, "");
    }

    /** A fault injected from {@code inject} s, in effect at {@code start} s, healed from {@code heal} s, undone at {@code end} s. */
    private void fault(int id, FaultKind kind, double inject, double start, Double heal, Double end, String detail) {
        faults.add(new History.FaultEvent((long) (inject * 1e6), (long) (start * 1e6), true, id, kind, "0", detail));
        if (end != null) {
            faults.add(new History.FaultEvent((long) (heal * 1e6), (long) (end * 1e6), false, id, kind, "0", ""));
        }
    }

    private FaultStats stats() {
        return FaultStats.of(new History(Map.of(), ops, transitions, faults), WORKLOADS, 70_000_000);
    }

    @Test
    void aWorkloadOpensWhenItsFirstBreakerOpensAndClosesWhenTheLastCloses() {
        fault(1, FaultKind.FREEZE, 10, 20.0);
        move(12, "stream", CLOSED, OPEN);
        move(12.1, "transport", CLOSED, OPEN);
        move(17, "stream", OPEN, HALF_OPEN);
        move(17, "transport", OPEN, HALF_OPEN);
        move(21, "stream", HALF_OPEN, CLOSED);
        move(21.5, "transport", HALF_OPEN, CLOSED);
        FaultStats.Cell bus = stats().of(FaultKind.FREEZE, "bus");
        assertThat(bus.faults).isEqualTo(1);
        assertThat(bus.opened).isEqualTo(1);
        assertThat(bus.toOpenMicros).containsExactly(2_000_000L);
        assertThat(bus.toCloseMicros).containsExactly(1_500_000L);
        FaultStats.Cell wrapper = stats().of(FaultKind.FREEZE, "wrapper-blocking");
        assertThat(wrapper.faults).isEqualTo(1);
        assertThat(wrapper.opened).isZero();
    }

    @Test
    void aWorkloadOpenBeforeTheFaultIsAlreadyOpenAndOneThatNeverClosesIsCountedSo() {
        move(29, "stream", CLOSED, OPEN);
        fault(2, FaultKind.KILL, 30, 40.0);
        move(45, "stream", OPEN, CLOSED);
        fault(3, FaultKind.CUT, 50, null);
        move(52, "stream", CLOSED, OPEN);
        FaultStats stats = stats();
        assertThat(stats.of(FaultKind.KILL, "bus").alreadyOpen).isEqualTo(1);
        assertThat(stats.of(FaultKind.KILL, "bus").opened).isZero();
        assertThat(stats.of(FaultKind.CUT, "bus").neverClosed).isEqualTo(1);
        assertThat(stats.windows()).extracting(FaultStats.Window::endMicros).containsExactly(40_000_000L, 70_000_000L);
        assertThat(stats.kinds()).containsExactly(FaultKind.KILL, FaultKind.CUT);
    }

    @Test
    void anOpeningJustAfterAShortFaultStillCountsAsItsDoing() {
        fault(1, FaultKind.FREEZE, 10, 12.0);
        move(14.5, "stream", CLOSED, OPEN);
        move(20, "stream", OPEN, CLOSED);
        assertThat(stats().of(FaultKind.FREEZE, "bus").toOpenMicros).containsExactly(4_500_000L);
    }

    @Test
    void callTimesGoToTheFaultsTheyFellInOrToTheCalm() {
        fault(1, FaultKind.LATENCY, 10, 20.0);
        ops.add(new History.Op("bus-1", "bus", "k-0", 0, 15_000_000, 3_000, 15_100_000, Outcome.ok(0, 0)));
        ops.add(new History.Op("bus-2", "bus", "k-0", 1, 5_000_000, 100, 5_100_000, Outcome.ok(0, 1)));
        FaultStats stats = stats();
        assertThat(stats.of(FaultKind.LATENCY, "bus").callMicros).containsExactly(3_000L);
        assertThat(stats.calmCalls("bus")).containsExactly(100L);
        assertThat(stats.calmCalls("wrapper-blocking")).isEmpty();
    }

    @Test
    void timeToOpenRunsFromTheInjectionsBeginAndTimeToCloseFromTheHealingsBeginAndEnd() {
        // a controlled shutdown: SIGTERM at 10 s, the node gone at 12 s; its restart from 30 s, up at 36 s
        fault(1, FaultKind.CONTROLLED_SHUTDOWN, 10, 12, 30.0, 36.0, Nemesis.STOPPED_CLEANLY);
        move(11, "stream", CLOSED, OPEN); // while the node shut down
        move(37, "stream", OPEN, CLOSED);
        FaultStats.Cell bus = stats().of(FaultKind.CONTROLLED_SHUTDOWN, "bus");
        assertThat(bus.opened).isEqualTo(1);
        assertThat(bus.alreadyOpen).isZero();
        assertThat(bus.toOpenMicros).containsExactly(1_000_000L);
        assertThat(bus.toCloseMicros).containsExactly(7_000_000L);
        assertThat(bus.toCloseAfterHealMicros).containsExactly(1_000_000L);
    }

    @Test
    void aControlledShutdownThatHadToBeKilledIsCountedApart() {
        fault(1, FaultKind.CONTROLLED_SHUTDOWN, 10, 12, 20.0, 22.0, Nemesis.STOPPED_CLEANLY);
        fault(2, FaultKind.CONTROLLED_SHUTDOWN, 30, 60, 61.0, 65.0,
                Nemesis.STOP_TIMED_OUT + " (its controlled shutdown did not end within 30 s)");
        FaultStats stats = stats();
        assertThat(stats.stoppedCleanly()).isEqualTo(1);
        assertThat(stats.stopTimedOut()).isEqualTo(1);
    }

    @Test
    void percentilesAreNearestRank() {
        List<Long> values = List.of(5L, 1L, 4L, 2L, 3L);
        assertThat(FaultStats.percentile(values, 50)).isEqualTo(3);
        assertThat(FaultStats.percentile(values, 99)).isEqualTo(5);
        assertThat(FaultStats.percentile(values, 100)).isEqualTo(5);
        assertThat(FaultStats.percentile(values, 0)).isEqualTo(1);
        assertThat(FaultStats.percentile(List.of(), 50)).isEqualTo(-1);
    }
}
