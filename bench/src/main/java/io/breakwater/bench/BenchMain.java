package io.breakwater.bench;

import io.breakwater.bench.JmhRun.Score;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs the benchmarks a {@link BenchConfig} names (JMH at 1 and 4 threads; throughput, fixed-rate latency and an
 * outages of every fault kind against a broker in its own JVM; many streams in one EventBus; the spill) and writes one Markdown report,
 * {@code bench/RESULTS.md} or the path given as the first argument, with every figure beside its peers' and every
 * target met or not.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "bench/RESULTS.md");
        BenchConfig config = BenchConfig.fromSystemProperties();
        String report = run(config);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.println(report);
        System.out.println("Written to " + out.toAbsolutePath());
        System.exit(0);
    }

    static String run(BenchConfig c) throws Exception {
        StringBuilder md = new StringBuilder();
        Targets targets = new Targets();
        // Checked before anything runs: a misspelt fault kind must not cost the run's first half hour.
        List<OutageMatrix.Fault> faults = c.runs("outage") ? OutageMatrix.selectedFaults() : List.of();
        if (c.runs("jmh")) {
            Map<String, Score> one = JmhRun.run(c, 1);
            Map<String, Score> four = JmhRun.run(c, 4);
            JmhReport.method(md, c);
            JmhReport.table(md, "1 thread", one);
            JmhReport.table(md, "4 threads (on " + Runtime.getRuntime().availableProcessors() + " cores)", four);
            JmhReport.targets(targets, one, four);
        }
        Path dir = Files.createTempDirectory("breakwater-bench");
        try {
            if (c.runs("cost")) {
                ClientCost.report(md, ClientCost.run(c, dir));
            }
            if (c.runs("e2e") || c.runs("latency") || c.runs("spill") || c.runs("outage")) {
                try (BenchBroker broker = BenchBroker.start(c)) {
                    if (c.runs("e2e")) {
                        EndToEnd.Results e2e = EndToEnd.run(c, broker, dir, Path.of("bench", "target", "jfr"));
                        EndToEnd.report(md, e2e, broker.pinning(), targets);
                    }
                    if (c.runs("latency")) {
                        FixedRate.report(md, FixedRate.run(c, broker, dir), broker.pinning());
                    }
                    if (c.runs("spill")) {
                        broker.createTopics(List.of("e2e-replay"));
                        SpillBench.Replay replay = SpillBench.replay(Variants.props(broker.bootstrapServers(), 5), c.replayEvents());
                        SpillBench.report(md, SpillBench.appends(c.spillSingles(), c.spillEvents()), replay);
                    }
                    if (c.runs("outage")) {
                        // Last of the broker's parts: it kills and restarts the broker.
                        OutageMatrix.report(md, OutageMatrix.run(broker, faults), targets);
                    }
                }
            }
            if (c.runs("scale")) {
                ScaleReport.report(md, Scale.run(c), targets);
            }
        } finally {
            delete(dir);
        }
        if (!targets.isEmpty()) {
            targets.report(md);
        }
        StringBuilder report = new StringBuilder();
        header(report, c);
        targets.summary(report);
        return report.append(md).toString();
    }

    private static void header(StringBuilder md, BenchConfig c) {
        md.append("# Benchmark results\n\n");
        md.append("Written by `bench/run").append(c.full() ? "" : " quick").append("` on ").append(Instant.now()).append(" (")
                .append(c.describe()).append(").");
        if (!c.full()) {
            md.append(" **A quick run: too few forks, iterations and rounds for its figures to carry any claim.**");
        }
        md.append("\n\n");
        md.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(cpuModel())
                .append(", ").append(memory()).append("; this JVM may run on CPUs ").append(allowedCpus()).append('\n');
        md.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"))
                .append(" (").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append(")");
        List<String> heap = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xm") || a.startsWith("-XX:")).toList();
        md.append(heap.isEmpty() ? "" : "; this JVM's flags: `" + String.join(" ", heap) + "` (JMH's forks: their own)")
                .append('\n');
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String allowedCpus() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Cpus_allowed_list"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memory() {
        long bytes = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return String.format(Locale.ROOT, "%.0f GiB RAM", bytes / (1024.0 * 1024 * 1024));
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
