package io.breakwater.bench;

import io.breakwater.testkit.ForkedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Outages, per fault kind: for each of freeze, kill, black hole and cut, and for 1 and 4 caller threads per guard,
 * the wrapper, the interceptor and the EventBus (no spill) run side by side on producers of their own, through the
 * testkit's proxy in front of the forked broker, each caller sending one record a millisecond without waiting for
 * the answer. Per guard: the time from the fault to its first breaker OPEN, the time from the repair to every one of
 * its breakers CLOSED again, the seconds its callers spent inside {@code send()} / {@code publishStream()} from the
 * fault to the close, and the call time while the guard was OPEN (a refusal, for the wrapper and the EventBus; the
 * interceptor cannot refuse). Default settings, but a reset timeout of {@link #RESET} so that the close is quick.
 */
final class OutageMatrix {

    static final Duration RESET = Duration.ofSeconds(3);
    static final double OPEN_TARGET_SECONDS = 2.5;
    static final double REFUSAL_P99_TARGET_MICROS = 10;
    /** "About 0": the EventBus's callers inside publishStream for at most this share of their time from fault to close. */
    static final double BUS_BLOCKED_TARGET_SHARE = 0.01;
    private static final Duration OPEN_WHILE = Duration.ofSeconds(2);
    /** The fault of the warm-up outage: the quickest to inject and repair. */
    static final Fault WARM_UP = Fault.CUT;
    static final long PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    enum Fault {
        FREEZE("freeze", "SIGSTOP, then SIGCONT"),
        KILL("kill", "SIGKILL, then a restart on the same ports and data"),
        BLACK_HOLE("black hole", "the proxy holds every byte both ways, then passes them again"),
        CUT("cut", "the proxy closes every connection and refuses new ones, then accepts them again");

        final String label;
        final String how;

        Fault(String label, String how) {
            this.label = label;
            this.how = how;
        }

        void inject(ForkedKafkaBroker b) {
            switch (this) {
                case FREEZE -> b.freeze();
                case KILL -> b.kill();
                case BLACK_HOLE -> b.proxy().blackHole();
                case CUT -> b.proxy().cut();
            }
        }

        void repair(ForkedKafkaBroker b) {
            switch (this) {
                case FREEZE -> b.resume();
                case KILL -> b.restart();
                case BLACK_HOLE, CUT -> b.proxy().pass();
            }
        }
    }

    enum Guard {
        WRAPPER("CircuitBreakerProducer"), NON_BLOCKING("CircuitBreakerProducer, non-blocking"), INTERCEPTOR("interceptor"),
        EVENTBUS("EventBus");

        final String label;

        Guard(String label) {
            this.label = label;
        }
    }

    /** One guard in one outage. NaN: did not happen within the bounds. */
    record Cell(Fault fault, int threads, Guard guard, double openSeconds, double closeSeconds, double blockedSeconds,
                double blockedShare, long callsWhileOpen, double openCallP50Micros, double openCallP99Micros, long refused,
                double controlP50Micros, double controlP99Micros) {
        /** This cell with the figures of its outage's control lane (p50, p99 in µs). */
        Cell withControl(double[] control) {
            return new Cell(fault, threads, guard, openSeconds, closeSeconds, blockedSeconds, blockedShare, callsWhileOpen,
                    openCallP50Micros, openCallP99Micros, refused, control[0], control[1]);
        }
    }

    private OutageMatrix() {
    }

    /**
     * The fault kinds to run, from {@code bench.outage.faults} (names, comma-separated; all when unset), in their order.
     *
     * @throws IllegalArgumentException naming a name that is no fault kind
     */
    static List<Fault> selectedFaults() {
        String only = System.getProperty("bench.outage.faults", "").trim();
        if (only.isEmpty()) {
            return List.of(Fault.values());
        }
        List<String> names = Arrays.stream(only.split(",")).map(n -> n.trim().toLowerCase(Locale.ROOT)).toList();
        for (String name : names) {
            if (Arrays.stream(Fault.values()).noneMatch(f -> f.name().toLowerCase(Locale.ROOT).equals(name))) {
                throw new IllegalArgumentException("bench.outage.faults takes freeze, kill, black_hole and cut, but was given '"
                        + name + "'");
            }
        }
        return Arrays.stream(Fault.values()).filter(f -> names.contains(f.name().toLowerCase(Locale.ROOT))).toList();
    }

    /** The judged cells, and the warm-up's, which ran first and is reported but not judged. */
    record Outages(List<Cell> warmUp, List<Cell> cells, List<String> retried) {
    }

    /** A cell's guards did not all reach 200 acknowledgements before the fault: nothing was measured yet. */
    static final class NotReady extends IllegalStateException {
        NotReady(String message) {
            super(message);
        }
    }

    /**
     * The warm-up outage, then every fault kind at 1 and 4 threads. The warm-up (a cut at 1 thread, as {@link #WARM_UP})
     * gives the JIT the refusal paths before the judged cells: the first outage of a JVM runs them interpreted, and its
     * first refusals, hundreds of times slower than compiled ones, would be the first cell's tail.
     */
    static Outages run(BenchBroker broker, List<Fault> faults) throws Exception {
        if (faults.isEmpty()) {
            return new Outages(List.of(), List.of(), List.of());
        }
        List<String> retried = new ArrayList<>();
        List<Cell> warmUp = cellOrRetry(broker.forked(), WARM_UP, 1, "outage-warm-up", retried);
        List<Cell> cells = new ArrayList<>();
        int n = 0;
        for (Fault fault : faults) {
            for (int threads : new int[] {1, 4}) {
                cells.addAll(cellOrRetry(broker.forked(), fault, threads, "outage-" + (n++), retried));
            }
        }
        return new Outages(warmUp, cells, retried);
    }

    /** The cell; once more on new topics and producers if a guard was not ready before the fault (noted in {@code retried}). */
    private static List<Cell> cellOrRetry(ForkedKafkaBroker broker, Fault fault, int threads, String id, List<String> retried)
            throws Exception {
        try {
            return cell(broker, fault, threads, id);
        } catch (NotReady e) {
            retried.add(fault.label + ", " + threads + " thread(s): " + e.getMessage());
            return cell(broker, fault, threads, id + "-again");
        }
    }

    private static List<Cell> cell(ForkedKafkaBroker broker, Fault fault, int threads, String id) throws Exception {
        List<OutageLane> lanes = new ArrayList<>();
        ControlLane control = null;
        boolean broken = false;
        try {
            for (Guard g : Guard.values()) {
                lanes.add(new OutageLane(g, threads, broker.bootstrapServers(), id + "-" + g.name().toLowerCase(Locale.ROOT)));
            }
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.directBootstrapServers()))) {
                admin.createTopics(lanes.stream().map(l -> new org.apache.kafka.clients.admin.NewTopic(l.kafkaTopic(), 1, (short) 1)).toList())
                        .all().get(60, TimeUnit.SECONDS);
            }
            OutageLane.startAll(lanes);
            control = new ControlLane(threads, id + "-control");
            if (!awaitAll(lanes, l -> l.acks() >= 200, 60)) {
                throw new NotReady("not 200 acknowledgements each within 60 s: " + lanes);
            }
            long fault0 = System.nanoTime();
            lanes.forEach(l -> l.measureFrom(fault0));
            control.measureFrom(fault0);
            broken = true;
            fault.inject(broker);
            boolean opened = awaitAll(lanes, OutageLane::opened, 30);
            LockSupport.parkNanos(OPEN_WHILE.toNanos());
            fault.repair(broker);
            broken = false;
            long repaired = System.nanoTime();
            control.measureUntil(repaired);
            boolean closed = awaitAll(lanes, OutageLane::closed, 60);
            if (!opened || !closed) {
                System.err.println("Outage " + fault.label + ", " + threads + " thread(s): not every guard "
                        + (opened ? "CLOSED within 60 s of the repair" : "OPEN within 30 s of the fault") + ": " + lanes);
            }
            List<Cell> cells = new ArrayList<>();
            for (OutageLane l : lanes) {
                cells.add(l.cell(fault, fault0, repaired));
            }
            double[] floor = control.stop();
            return cells.stream().map(c -> c.withControl(floor)).toList();
        } finally {
            if (broken) {   // the cell failed between the fault and its repair: the parts after it need the broker
                try {
                    fault.repair(broker);
                } catch (RuntimeException e) {
                    System.err.println("Repairing " + fault.label + " failed: " + e);
                }
            }
            if (control != null) {
                control.close();
            }
            for (OutageLane l : lanes) {
                l.close();
            }
        }
    }

    /** Whether every lane is {@code done} within {@code seconds}. */
    private static boolean awaitAll(List<OutageLane> lanes, java.util.function.Predicate<OutageLane> done, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (;;) {
            boolean all = true;
            for (OutageLane lane : lanes) {
                all &= done.test(lane);   // every lane, every poll: opened() and closed() note the time they first hold
            }
            if (all) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    static void report(StringBuilder md, Outages outages, Targets targets) {
        List<Cell> cells = outages.cells();
        md.append("## Outages, per fault kind\n\n");
        if (cells.isEmpty()) {
            md.append("No fault kind was run (bench.outage.faults named none of freeze, kill, black_hole, cut).\n\n");
            return;
        }
        md.append("The broker of the end-to-end parts, reached through the testkit's proxy. For each fault, and for 1 and 4 caller ")
                .append("threads per guard, the three guards run side by side on producers of their own, each caller sending one ")
                .append("small record a millisecond without waiting for its answer; default settings but a reset timeout of ")
                .append(RESET.toSeconds()).append(" s. Open: fault to the guard's first breaker OPEN (the EventBus has two, its ")
                .append("stream's and its transport's). Close: repair to every breaker of the guard CLOSED (after a kill, from the ")
                .append("restarted broker's ports answering). Blocked: seconds all of the guard's callers spent inside `send()` or ")
                .append("`publishStream()` from the fault to the close, and that as a share of their time then. A call while OPEN: the guard OPEN before and after the call ")
                .append("(the wrapper and the EventBus refuse it; the interceptor cannot refuse, so its callers' records go to ")
                .append("Kafka's buffer). Faults: ");
        md.append(String.join("; ", Arrays.stream(Fault.values()).map(f -> f.label + ": " + f.how).toList())).append(".\n\n");
        md.append("Before the judged cells, one warm-up outage (").append(WARM_UP.label).append(", 1 thread, every guard on ")
                .append("producers of its own) ran the refusal paths once, so that the JIT has compiled them: the first ")
                .append("outage of a JVM runs them interpreted at first, as a service's first outage after a deploy does. Its ")
                .append("figures are the table's first rows, marked warm-up, and judge no target.\n\n");
        md.append("Control: beside the guards, as many threads again, paced the same, each call doing what a refusal does without ")
                .append("any breaker (an exception without a stack trace, the record's metadata, a callback, a failed future), from ")
                .append("the fault to the repair: the floor of this machine and JVM for such a call, in the same seconds.\n\n");
        for (String r : outages.retried()) {
            md.append("Ran twice: ").append(r.length() > 600 ? r.substring(0, 600) + "…" : r)
                    .append(" (no fault had been injected yet; the table shows the second run, on new topics and producers).\n\n");
        }
        md.append("| fault | threads | guard | open | close | blocked | share | calls while OPEN | their p50 | their p99 | refused "
                + "| control p50 | control p99 |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<Cell> rows = new ArrayList<>(outages.warmUp());
        rows.addAll(cells);
        for (int i = 0; i < rows.size(); i++) {
            Cell c = rows.get(i);
            boolean warm = i < outages.warmUp().size();
            md.append(String.format(Locale.ROOT, "| %s%s | %d | %s | %.2f s | %.2f s | %.3f s | %.2f %% | %d | %.1f µs | %.1f µs | %d "
                    + "| %.1f µs | %.1f µs |%n",
                    c.fault().label, warm ? " (warm-up)" : "", c.threads(), c.guard().label, c.openSeconds(), c.closeSeconds(), c.blockedSeconds(),
                    100 * c.blockedShare(), c.callsWhileOpen(), c.openCallP50Micros(), c.openCallP99Micros(), c.refused(),
                    c.controlP50Micros(), c.controlP99Micros()));
        }
        md.append('\n');
        long neverOpened = cells.stream().filter(c -> Double.isNaN(c.openSeconds())).count();
        double worstOpen = cells.stream().mapToDouble(Cell::openSeconds).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
        if (neverOpened > 0) {
            targets.add("Outages: every guard OPEN within 2.5 s of every fault", neverOpened + " cell(s) not OPEN within 30 s", false,
                    "in " + neverOpened + " cell(s)");
        } else {
            targets.atMost("Outages: every guard OPEN within 2.5 s of every fault (slowest cell)", worstOpen, OPEN_TARGET_SECONDS, "s",
                    String.format(Locale.ROOT, "%.2f s", worstOpen));
        }
        Cell busBlocked = cells.stream().filter(c -> c.guard() == Guard.EVENTBUS)
                .max(java.util.Comparator.comparingDouble(Cell::blockedShare)).orElseThrow();
        targets.atMost("Outages: EventBus callers blocked about 0 (inside publishStream ≤ 1 % of their time, fault to close; worst cell)",
                100 * busBlocked.blockedShare(), 100 * BUS_BLOCKED_TARGET_SHARE, "%", String.format(Locale.ROOT, "%.2f %% (%.3f s, %s, %d thread(s))",
                        100 * busBlocked.blockedShare(), busBlocked.blockedSeconds(), busBlocked.fault().label, busBlocked.threads()));
        for (Guard g : List.of(Guard.WRAPPER, Guard.NON_BLOCKING, Guard.EVENTBUS)) {
            List<Cell> own = cells.stream().filter(c -> c.guard() == g && c.callsWhileOpen() > 0).toList();
            String target = "Outages: " + g.label + ": a refusal's p99 ≤ 10 µs (worst cell)";
            if (own.isEmpty()) {
                targets.add(target, "no call made while OPEN: its callers were inside Kafka's send() throughout", false,
                        "not measurable: blocking send");
                continue;
            }
            Cell worst = own.stream().max(java.util.Comparator.comparingDouble(Cell::openCallP99Micros)).orElseThrow();
            targets.atMost(target, worst.openCallP99Micros(), REFUSAL_P99_TARGET_MICROS, "µs", String.format(Locale.ROOT,
                    "%.1f µs (p50 %.1f µs; %s, %d thread(s); the control beside it: p99 %.1f µs)", worst.openCallP99Micros(),
                    worst.openCallP50Micros(), worst.fault().label, worst.threads(), worst.controlP99Micros()));
        }
    }
}
