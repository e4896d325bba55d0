package io.breakwater.chaos;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The summary of a run in Markdown: what ran, every operation's outcome, each check, what each fault did. */
final class Report {

    private static final int SHOWN_PER_CHECK = 20;

    private final ChaosOptions options;
    private final History history;
    private final Checker.Result check;
    private final FaultStats stats;
    private final int planned;
    private final int executed;
    private final List<String> problems;
    private final List<String> unmet;
    private final Path historyFile;
    private final StringBuilder md = new StringBuilder();

    Report(ChaosOptions options, History history, Checker.Result check, FaultStats stats, int planned, int executed,
            List<String> problems, List<String> unmet, Path historyFile) {
        this.options = options;
        this.history = history;
        this.check = check;
        this.stats = stats;
        this.planned = planned;
        this.executed = executed;
        this.problems = problems;
        this.unmet = unmet;
        this.historyFile = historyFile;
    }

    String markdown() {
        boolean passed = check.passed() && problems.isEmpty() && unmet.isEmpty();
        line("# Chaos: results");
        line("");
        line("Written by `chaos/run` (the `chaos` module) from one run: " + (passed ? "**every check passed**." : "**FAILED**."));
        line("");
        line("| | |");
        line("|---|---|");
        row("command", "`" + options.command() + "`");
        row("seed", Long.toString(options.seed()));
        row("started", history.meta().getOrDefault("started", "?"));
        row("machine", Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + ", Java "
                + System.getProperty("java.version"));
        row("cluster", "3 Apache Kafka"
                + " KRaft nodes (broker and controller each), each in its own JVM behind its own fault proxy; topics of "
                + ChaosCluster.PARTITIONS + " partitions, replication factor " + ChaosCluster.REPLICATION_FACTOR
                + ", min.insync.replicas " + ChaosCluster.MIN_INSYNC_REPLICAS);
        row("producers", "acks=all, idempotence on, delivery.timeout.ms 30 s, request.timeout.ms 10 s; max.block.ms 10 s "
                + "(the EventBus transports: their own 2 s); every breaker's reset timeout " + options.resetTimeout().toSeconds()
                + " s, the rest its defaults");
        row("load", options.rate() + " events/s for each of " + ChaosRun.WORKLOADS.size() + " workloads at once, "
                + options.keys() + " keys each, " + options.threads() + " caller threads each (a key is one thread's)");
        row("length", fmt("%.1f min of faults, then every fault undone, %d s more load, every answer and the final replay "
                + "awaited, every topic read from its start", options.duration().toMillis() / 60_000.0, ChaosRun.RECOVERY_SECONDS));
        row("faults", executed + " executed of " + planned + " planned; controlled shutdowns: " + stats.stoppedCleanly()
                + " clean, " + stats.stopTimedOut() + " " + Nemesis.STOP_TIMED_OUT);
        line("");
        outcomes();
        checks();
        faults();
        if (!passed) {
            offences();
        }
        line("## Replay");
        line("");
        line("`" + options.command() + "` runs the same schedule again (the timing of the load is the machine's). "
                + "The history of this run: `" + historyFile + "` (one line per operation, transition and fault; "
                + "see `History`).");
        return md.toString();
    }

    private void outcomes() {
        line("## Operations per workload and outcome");
        line("");
        line("| workload | ok | rejected | spilled | fail (indeterminate) | pending | total |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        for (String w : ChaosRun.WORKLOADS) {
            Map<Outcome.Kind, Long> c = check.outcomes().getOrDefault(w, Map.of());
            long total = c.values().stream().mapToLong(Long::longValue).sum();
            line("| " + w + " | " + Arrays.stream(Outcome.Kind.values()).map(k -> Long.toString(c.getOrDefault(k, 0L)))
                    .collect(Collectors.joining(" | ")) + " | " + total + " |");
        }
        line("");
        line("`ok`: acknowledged at a partition and offset. `rejected`: a breaker (or a full send queue) refused it, so it "
                + "was never sent. `spilled`: durable in the EventBus's SQLite spill, replayed later. `fail`: the producer "
                + "reported an error, so it may or may not have been written. `pending`: never answered.");
        line("");
        Map<String, Long> lone = LoneStalls.count(history.ops());
        line("Of the `fail`s, expired in a stall of their partition alone (their partition acknowledged nothing of the "
                + "workload from their send to their expiry, each other partition something; no breaker can save them, as "
                + "until they expire their stream hears the other partitions' acknowledgements; a cut or black hole of one "
                + "node's client traffic makes such stalls, and so does Kafka's idempotent producer retrying one batch with "
                + "`OUT_OF_ORDER_SEQUENCE_NUMBER` after a leader move, KAFKA-15591): " + ChaosRun.WORKLOADS.stream()
                .map(w -> w + " " + lone.getOrDefault(w, 0L)).collect(Collectors.joining(", ")) + ".");
        line("");
    }

    private void checks() {
        line("## Checks");
        line("");
        line("| check | found |");
        line("|---|---:|");
        row("lost (an `ok` not at its offset, a `spilled` nowhere)", Long.toString(check.count("lost")));
        row("leaked (a `rejected` on the topic)", Long.toString(check.count("leaked")));
        row("pending", Long.toString(check.count("pending")));
        row("order violations (`ok` events of a key out of publish order)", Long.toString(check.count("order")));
        row("spill order violations (an event ahead of one of its key spilled before it was published)",
                Long.toString(check.count("spill-order")));
        row("duplicates not allowed (an `ok` event written again by another send or after its acknowledgement; "
                + "a `spilled` one by two direct sends, or by two sends of the replay with one number)",
                Long.toString(check.count("duplicate")));
        row("unknown records (no id, or an id no operation of the topic has)", Long.toString(check.count("unknown")));
        row("duplicates allowed (extra copies of events with an indeterminate attempt)",
                check.duplicates().values().stream().mapToLong(Long::longValue).sum() + (check.duplicates().isEmpty() ? ""
                        : " (" + check.duplicates().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                        .collect(Collectors.joining(", ")) + ")"));
        row("indeterminate (`fail`) events found on their topic", check.failsOnTopic() + " of " + check.fails());
        line("");
        line("Copies are told apart by their CreateTime: the producer sets it once per send() and keeps it through "
                + "retries. Duplicates are allowed for `fail` events, for `spilled` events whose copies come from at most one "
                + "direct send (failed after the broker wrote it) and from sends of the replay each with a number of its own "
                + "(the `breakwater-replay` header: a replay batch that did not go through is sent again, the events behind "
                + "a failure included), "
                + "and for `ok` events whose other copies all come before the acknowledged one and carry its CreateTime (`"
                + Checker.OK_EARLIER + "`: the same send, its answer lost, written again by Kafka's idempotent producer "
                + "under a new epoch after `OUT_OF_ORDER_SEQUENCE_NUMBER`, which the broker takes as new; KAFKA-14034).");
        line("");
        if (!problems.isEmpty()) {
            line("Problems around the run: " + String.join("; ", problems) + ".");
            line("");
        }
        if (!unmet.isEmpty()) {
            line("Minimums not met (the run tested too little): " + String.join("; ", unmet) + ".");
            line("");
        }
    }

    private void faults() {
        line("## Faults");
        line("");
        line("A workload is *open* while one of its breakers is not CLOSED (the EventBus: its stream's and its transport's).");
        line("Time to open runs from the moment the nemesis began to inject the fault; time to close from the moment it "
                + "began to heal it, and from the moment the fault was undone (a restart takes seconds).");
        line("Faults overlap at times; each counts the transitions within it (and up to "
                + FaultStats.GRACE_MICROS / 1_000_000 + " s after it).");
        line("");
        table("Time to open: median / max (opened in k of n faults)", cell -> cell.opened == 0
                ? (cell.alreadyOpen > 0 ? "already open (" + cell.alreadyOpen + ")" : "stayed closed") + " (0/" + cell.faults + ")"
                : seconds(FaultStats.percentile(cell.toOpenMicros, 50)) + " / " + seconds(FaultStats.percentile(cell.toOpenMicros, 100))
                        + " (" + cell.opened + "/" + cell.faults + ")");
        table("Time to close after the healing began: median / max", cell -> toClose(cell, cell.toCloseMicros));
        table("Time to close after the fault was undone: median / max", cell -> toClose(cell, cell.toCloseAfterHealMicros));
        table("Callers' time in the call while the fault lasted: p50 / p99 / max", cell -> calls(cell.callMicros));
        line("| no fault | - | " + ChaosRun.WORKLOADS.stream().map(w -> calls(stats.calmCalls(w)))
                .collect(Collectors.joining(" | ")) + " |");
        line("");
        line("### Timeline");
        line("");
        line("```text");
        for (History.FaultEvent e : history.faults()) {
            line(fmt("%8.1f s  %-5s #%-3d %-19s node(s) %-5s %s", e.atMicros() / 1e6, e.start() ? "start" : "end", e.fault(),
                    e.kind().label(), e.nodes(), e.detail()));
        }
        line("```");
        line("");
    }

    private static String toClose(FaultStats.Cell cell, List<Long> micros) {
        return micros.isEmpty() ? (cell.neverClosed > 0 ? "never closed" : "-")
                : seconds(FaultStats.percentile(micros, 50)) + " / " + seconds(FaultStats.percentile(micros, 100))
                        + (cell.neverClosed > 0 ? " (" + cell.neverClosed + " never)" : "");
    }

    private void table(String title, Function<FaultStats.Cell, String> value) {
        line("### " + title);
        line("");
        line("| fault | n | " + String.join(" | ", ChaosRun.WORKLOADS) + " |");
        line("|---|---:|" + "---|".repeat(ChaosRun.WORKLOADS.size()));
        for (FaultKind kind : stats.kinds()) {
            int n = stats.of(kind, ChaosRun.WORKLOADS.get(0)).faults;
            line("| " + kind.label() + " | " + n + " | " + ChaosRun.WORKLOADS.stream().map(w -> value.apply(stats.of(kind, w)))
                    .collect(Collectors.joining(" | ")) + " |");
        }
        if (!title.startsWith("Callers")) {
            line("");
        }
    }

    private void offences() {
        line("## Offending events");
        line("");
        line("```text");
        offenders(check).forEach(this::line);
        line("```");
        line("");
    }

    private static String calls(List<Long> micros) {
        if (micros.isEmpty()) {
            return "-";
        }
        return millis(FaultStats.percentile(micros, 50)) + " / " + millis(FaultStats.percentile(micros, 99)) + " / "
                + millis(FaultStats.percentile(micros, 100));
    }

    private static String seconds(long micros) {
        return fmt("%.1f s", micros / 1e6);
    }

    private static String millis(long micros) {
        return micros < 10_000 ? fmt("%.2f ms", micros / 1e3) : micros < 10_000_000 ? fmt("%.0f ms", micros / 1e3)
                : fmt("%.1f s", micros / 1e6);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private void row(String name, String value) {
        line("| " + name + " | " + value + " |");
    }

    private void line(String text) {
        md.append(text).append('\n');
    }

    /** The violations as lines for a console: every check with its first offenders. */
    static List<String> offenders(Checker.Result check) {
        List<String> lines = new ArrayList<>();
        check.violations().stream().collect(Collectors.groupingBy(Checker.Violation::check, java.util.TreeMap::new,
                Collectors.toList())).forEach((name, list) -> {
                    lines.add(name + ": " + list.size());
                    list.stream().limit(SHOWN_PER_CHECK).forEach(v -> lines.add("  " + v.id() + "  " + v.detail()));
                });
        return lines;
    }
}
