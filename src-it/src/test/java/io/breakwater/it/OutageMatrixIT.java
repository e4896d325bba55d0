package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.breakwater.breaker.CircuitBreakerSnapshot;
import io.breakwater.testkit.ForkedKafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Open fast, whatever the thread count. For each way a broker goes away (a clean stop, SIGKILL, SIGSTOP, a
 * network black hole), one forked broker serves every guard at once, each with its default settings and its
 * own producer: the wrapper, the interceptor and the EventBus, each driven by one caller thread (not waiting,
 * and waiting for each answer) and by four. Every breaker (the EventBus has two: its stream's and its
 * transport's) must be OPEN within {@link #TARGET} of the fault, timed from the moment the fault is injected
 * to the moment the breaker's transition listener hears OPEN.
 *
 * <p>A clean stop is timed from the moment the broker stopped serving each lane: the later of the SIGTERM and
 * that lane's last acknowledgement. Kafka's controlled shutdown goes on serving for a while (0.1–0.6 s here,
 * more on a loaded machine) before it closes its listeners, and while it acknowledges there is no fault to
 * open on. Timed from the SIGTERM instead, the same breakers measure that length of the shutdown more, which
 * says nothing of them. A breaker that opened after the SIGTERM but before its lane's last acknowledgement shows a
 * negative time. The other faults take effect as they are injected, and are timed from the injection.
 *
 * <p>The breakers that have not opened are watched for {@link #OBSERVE} after the fault (system property
 * {@code breakwater.matrix.observe.ms}), so the table says how late they are. The table of times goes to
 * stdout and to {@code target/outage-matrix.txt}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timed
class OutageMatrixIT {

    static final Duration TARGET = Duration.ofMillis(2_500);
    static final Duration OBSERVE = Duration.ofMillis(Long.getLong("breakwater.matrix.observe.ms", 10_000));
    private static final Duration CLOSE_BOUND = Duration.ofSeconds(5);
    private static final MatrixTable TABLE = new MatrixTable(
            Path.of(System.getProperty("basedir", "."), "target", "outage-matrix.txt"), TARGET, OBSERVE);

    /** The ways a broker goes away, and how each is done to the forked broker. */
    enum Fault {
        STOP("stop", "SIGTERM: Kafka's controlled shutdown, waiting (at most 30 s) for the JVM to exit", true),
        KILL("kill", "SIGKILL, waiting for the process to end", false),
        FREEZE("freeze", "SIGSTOP: sockets stay open, nothing answers", false),
        BLACK_HOLE("black-hole", "the proxy in front of the broker holds every byte both ways, accepts new connections", false);

        final String label;
        final String how;
        /** Whether the broker may go on acknowledging after the injection began (each lane is then timed from its last ack). */
        final boolean servesWhileInjected;

        Fault(String label, String how, boolean servesWhileInjected) {
            this.label = label;
            this.how = how;
            this.servesWhileInjected = servesWhileInjected;
        }

        /** When the fault reached a lane: the injection, or for a fault the broker serves through, the lane's last ack after it. */
        long reached(Lane lane, long injectedNanos) {
            return servesWhileInjected ? Math.max(injectedNanos, lane.lastAckNanos()) : injectedNanos;
        }

        void inject(ForkedKafkaBroker broker) {
            switch (this) {
                case STOP -> broker.stop(Duration.ofSeconds(30));
                case KILL -> broker.kill();
                case FREEZE -> broker.freeze();
                case BLACK_HOLE -> broker.proxy().blackHole();
            }
        }
    }

    @AfterAll
    static void printTheTable() throws IOException {
        System.out.println(TABLE.write());
    }

    @TestFactory
    @Order(1)
    @Timeout(150)
    Stream<DynamicTest> cleanStop() throws Exception {
        return run(Fault.STOP);
    }

    @TestFactory
    @Order(2)
    @Timeout(150)
    Stream<DynamicTest> kill() throws Exception {
        return run(Fault.KILL);
    }

    @TestFactory
    @Order(3)
    @Timeout(150)
    Stream<DynamicTest> freeze() throws Exception {
        return run(Fault.FREEZE);
    }

    @TestFactory
    @Order(4)
    @Timeout(150)
    Stream<DynamicTest> blackHole() throws Exception {
        return run(Fault.BLACK_HOLE);
    }

    /** One cell of the matrix: a breaker of one lane, and what it did after the fault. */
    private record Cell(Fault fault, Lane lane, BreakerWatch watch, boolean movedBeforeFault, Optional<Long> millisToOpen,
                        CircuitBreakerSnapshot atTheEnd) {

        String row() {
            return watch.label() + " · " + lane.callers().label;
        }

        String text() {
            if (movedBeforeFault) {
                return "moved early";
            }
            return millisToOpen.map(String::valueOf).orElse("- [" + atTheEnd.consecutiveFailures() + "]");
        }

        void check() {
            assertThat(movedBeforeFault).as("%s moved before the fault: %s", row(), watch.heard()).isFalse();
            assertThat(millisToOpen).as("%s: OPEN within %d ms of %s (watched for %d ms; transitions %s; at the end %s)",
                    row(), TARGET.toMillis(), fault.label, OBSERVE.toMillis(), watch.heard(), atTheEnd).isPresent();
            assertThat(millisToOpen.get()).as("%s: ms from %s to OPEN", row(), fault.label)
                    .isLessThanOrEqualTo(TARGET.toMillis());
        }
    }

    private Stream<DynamicTest> run(Fault fault) throws Exception {
        String run = fault.label + "-" + UUID.randomUUID().toString().substring(0, 6);
        List<Lane> lanes = new ArrayList<>();
        Map<BreakerWatch, CircuitBreakerSnapshot> snapshots = new HashMap<>();
        Map<Lane, Long> reached = new HashMap<>();
        long faultNanos;
        long observedUntil;
        long injectMillis;
        List<String> stuck;
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

                faultNanos = System.nanoTime();
                fault.inject(broker);
                injectMillis = (System.nanoTime() - faultNanos) / 1_000_000;
                long deadline = faultNanos + OBSERVE.toNanos();
                try {
                    await().atMost(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))).pollInterval(Duration.ofMillis(20))
                            .until(() -> lanes.stream().flatMap(l -> l.watches().stream()).allMatch(w -> w.hasOpened(faultNanos)));
                } catch (ConditionTimeoutException notAllOpen) {
                    // each cell says which breakers did not open
                }
                observedUntil = System.nanoTime();
                lanes.forEach(l -> l.watches().forEach(w -> snapshots.put(w, w.breaker().snapshot())));
                lanes.forEach(l -> reached.put(l, fault.reached(l, faultNanos)));
            } finally {
                stuck = Lane.closeAll(lanes, CLOSE_BOUND);
            }
        }
        List<Cell> cells = new ArrayList<>();
        for (Lane lane : lanes) {
            for (BreakerWatch watch : lane.watches()) {
                long since = reached.get(lane);
                // Negative: OPEN before the lane's last acknowledgement (a shutdown's refusals came first); shown as it is.
                Optional<Long> millisToOpen = watch.openedAt(faultNanos, observedUntil)
                        .map(openedNanos -> (openedNanos - since) / 1_000_000);
                cells.add(new Cell(fault, lane, watch, watch.movedBefore(faultNanos), millisToOpen, snapshots.get(watch)));
            }
        }
        cells.forEach(c -> TABLE.put(c.row(), fault.label, c.text()));
        long servedMillis = (reached.values().stream().mapToLong(Long::longValue).max().orElse(faultNanos) - faultNanos) / 1_000_000;
        TABLE.note(fault.label + ": " + fault.how + "; injecting took " + injectMillis + " ms"
                + (fault.servesWhileInjected ? "; the last acknowledgement came " + servedMillis + " ms after it began, and each lane is"
                        + " timed from its own" : "")
                + (stuck.isEmpty() ? "" : "; callers still blocked " + CLOSE_BOUND.toSeconds() + " s after close: " + stuck));
        TABLE.write();
        return cells.stream().map(c -> dynamicTest(c.row() + " (" + fault.label + ")", c::check));
    }
}
