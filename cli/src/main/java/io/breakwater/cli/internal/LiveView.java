package io.breakwater.cli.internal;

import io.breakwater.breaker.CallStats;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerSnapshot;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.eventbus.SpillStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The live terminal table: one line per breaker (state, since, failure rate, calls/s, rejected), the EventBus's
 * spill, and the timeline of transitions and faults. On a terminal it redraws in place, in color; elsewhere it prints
 * each transition as it happens and the table every five seconds, plain.
 */
final class LiveView {

    private final Demo demo;
    private final List<CircuitBreaker> breakers;
    private final Supplier<SpillStatus> spill;
    private final PrintWriter out;
    private final Demo.Options options;
    private final Map<String, Long> lastCalls = new HashMap<>();
    // When the table was last printed (System.nanoTime()), so that CALLS/S is per second however often it prints.
    private long lastTableNanos = System.nanoTime();
    private volatile boolean stopped;
    private int printedTransitions;
    private int printedFaults;

    LiveView(Demo demo, List<CircuitBreaker> breakers, Supplier<SpillStatus> spill, PrintWriter out, Demo.Options options) {
        this.demo = demo;
        this.spill = spill;
        this.breakers = breakers;
        this.out = out;
        this.options = options;
    }

    void loop() {
        long tick = 0;
        while (!stopped) {
            if (options.redraw()) {
                redraw();
            } else {
                printNewEvents();
                if (tick % 5 == 0) {
                    table();
                }
            }
            out.flush();
            tick++;
            LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
        }
        if (!options.redraw()) {
            printNewEvents();
        }
        out.flush();
    }

    void stop() {
        stopped = true;
    }

    private void redraw() {
        out.print(Ansi.HOME_AND_CLEAR);
        out.println(Ansi.bold("Breakwater demo", true) + "   t =" + demo.elapsed(demo.now()) + " of "
                + options.duration().toSeconds() + "s, " + options.rate() + " events/s on each path from " + options.threads() + " threads");
        out.println();
        table();
        out.println();
        out.println(Ansi.bold("Timeline", true));
        List<String> lines = timeline();
        for (String line : lines.subList(Math.max(0, lines.size() - 14), lines.size())) {
            out.println(line);
        }
    }

    private void table() {
        out.printf("%-20s %-12s %8s %10s %9s %9s%n", "BREAKER", "STATE", "SINCE", "FAIL RATE", "CALLS/S", "REJECTED");
        long nanos = System.nanoTime();
        double seconds = Math.max(1e-3, (nanos - lastTableNanos) / 1e9);
        lastTableNanos = nanos;
        for (CircuitBreaker b : breakers) {
            CircuitBreakerSnapshot s = b.snapshot();
            CallStats stats = b.callStats();
            long calls = stats.successful() + stats.failed() + stats.ignored() + stats.rejected();
            long previous = lastCalls.getOrDefault(b.name(), calls);
            lastCalls.put(b.name(), calls);
            long since = Math.max(0, Duration.between(s.since(), Instant.now()).toSeconds());
            out.printf("%-20s %s %7ds %9.0f%% %9.0f %9d%n", b.name(), state(s.state()), since, s.failureRate() * 100,
                    Math.max(0, calls - previous) / seconds, stats.rejected());
        }
        SpillStatus now = spill.get();
        out.printf("EventBus spill: %d pending (%.1f KiB, oldest %.1f s), %d appended, %d replayed%n", now.pending(),
                now.pendingBytes() / 1024.0, now.replayLagMillis() / 1000.0, now.appended(), now.replayed());
    }

    private String state(CircuitBreakerState state) {
        return Ansi.state(state, String.format("%-12s", state), options.color());
    }

    /** Every fault and transition so far, in the order they happened. */
    private List<String> timeline() {
        return merged(demo.faults, demo.transitions);
    }

    /** The faults and transitions seen since the last call, in the order they happened (the two lists fill apart). */
    private void printNewEvents() {
        List<Demo.Fault> allFaults;
        List<Demo.Seen> allTransitions;
        synchronized (demo.timeline) {
            allFaults = List.copyOf(demo.faults);
            allTransitions = List.copyOf(demo.transitions);
        }
        List<Demo.Fault> faults = allFaults.subList(printedFaults, allFaults.size());
        List<Demo.Seen> transitions = allTransitions.subList(printedTransitions, allTransitions.size());
        List<String> lines = merged(faults, transitions);
        printedFaults += faults.size();
        printedTransitions += transitions.size();
        lines.forEach(out::println);
    }

    private List<String> merged(List<Demo.Fault> faults, List<Demo.Seen> transitions) {
        record Line(long atNanos, String text) {
        }
        List<Line> lines = new java.util.ArrayList<>();
        for (Demo.Fault f : faults) {
            lines.add(new Line(f.atNanos(), demo.elapsed(f.atNanos()) + "  ** " + f.what()));
        }
        for (Demo.Seen seen : transitions) {
            lines.add(new Line(seen.atNanos(), demo.elapsed(seen.atNanos()) + "  " + seen.transition().breaker() + " "
                    + seen.transition().from() + " -> " + seen.transition().to() + ": " + seen.transition().reason()));
        }
        lines.sort(java.util.Comparator.comparingLong(Line::atNanos));
        return lines.stream().map(Line::text).toList();
    }
}
