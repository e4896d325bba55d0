package io.breakwater.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark (JMH at 1 and 4 threads, then end to end against the embedded broker) and writes
 * the results, with ratios against Resilience4j and Failsafe, to {@code bench/RESULTS.md} (or the path
 * given as the first argument).
 */
public final class BenchMain {

    static final List<String> SCENARIOS = List.of("permission", "countWindow", "timeWindow", "call", "rejected");
    static final Map<String, String> SCENARIO_NAMES = Map.of(
            "permission", "permission check alone (CLOSED)",
            "countWindow", "permission + record success, count window 100",
            "timeWindow", "permission + record success, time window 10 s",
            "call", "full call through the library's wrapper",
            "rejected", "rejection while OPEN, through the wrapper");

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "bench/RESULTS.md");
        int warmups = Integer.getInteger("bench.warmups", 3);
        int iterations = Integer.getInteger("bench.iterations", 5);
        int records = Integer.getInteger("bench.records", 100_000);
        Map<String, double[]> one = jmh(1, warmups, iterations);
        Map<String, double[]> four = jmh(4, warmups, iterations);
        EndToEnd.Results e2e = EndToEnd.run(records, Integer.getInteger("bench.rounds", 5),
                Integer.getInteger("bench.replay.events", 20_000));
        List<SpillBench.Append> appends = SpillBench.appends(Integer.getInteger("bench.spill.singles", 2_000),
                Integer.getInteger("bench.spill.events", 20_000));
        String report = report(one, four, e2e, appends, warmups, iterations);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.println(report);
        System.out.println("Written to " + out.toAbsolutePath());
        System.exit(0);
    }

    /** Benchmark method name to {score, error} in ns/op. */
    static Map<String, double[]> jmh(int threads, int warmups, int iterations) throws Exception {
        Options options = new OptionsBuilder()
                .include(BreakerBenchmarks.class.getName() + ".")
                .forks(1)
                .threads(threads)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-Xms512m", "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error")
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, double[]> scores = new HashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            scores.put(name.substring(name.lastIndexOf('.') + 1),
                    new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
        }
        return scores;
    }

    static String report(Map<String, double[]> one, Map<String, double[]> four, EndToEnd.Results e2e,
                         List<SpillBench.Append> appends, int warmups, int iterations) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results\n\n");
        md.append("Written by `bench/run` (`java -jar bench/target/benchmarks.jar`) on ").append(Instant.now()).append(".\n\n");
        md.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(cpuModel()).append(", ").append(memory()).append("\n");
        md.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"))
                .append(" (").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append(")\n");
        md.append("- JMH 1.37, average time, 1 fork, ").append(warmups).append(" × 1 s warm-up, ").append(iterations)
                .append(" × 1 s measurement; Resilience4j 2.4.0, Failsafe 3.3.2; one breaker per library and scenario, shared by all threads.\n");
        md.append("- Cost = score − baseline (a supplier call without any breaker). Ratio = Breakwater's cost ÷ the peer's cost "
                + "(below 1: Breakwater is cheaper).\n\n");
        jmhTable(md, "1 thread", one);
        jmhTable(md, "4 threads", four);
        e2eTables(md, e2e);
        SpillBench.report(md, appends, e2e.replay());
        targets(md, one, four, e2e);
        return md.toString();
    }

    private static void jmhTable(StringBuilder md, String title, Map<String, double[]> s) {
        double base = s.get("baseline")[0];
        md.append("## JMH, ").append(title).append("\n\n");
        md.append(String.format(Locale.ROOT, "Baseline: %.2f ± %.2f ns/op.%n%n", base, s.get("baseline")[1]));
        md.append("| scenario | Breakwater ns/op (cost) | Resilience4j ns/op (cost) | Failsafe ns/op (cost) | ÷ Resilience4j | ÷ Failsafe |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (String scenario : SCENARIOS) {
            double[] bw = s.get(scenario + "_breakwater");
            double[] r4j = s.get(scenario + "_resilience4j");
            double[] fs = s.get(scenario + "_failsafe");
            md.append("| ").append(SCENARIO_NAMES.get(scenario)).append(" | ").append(cell(bw, base)).append(" | ")
                    .append(cell(r4j, base)).append(" | ").append(cell(fs, base)).append(" | ")
                    .append(ratio(bw[0] - base, r4j[0] - base)).append(" | ").append(ratio(bw[0] - base, fs[0] - base)).append(" |\n");
        }
        md.append('\n');
    }

    private static String cell(double[] v, double base) {
        return String.format(Locale.ROOT, "%.2f ± %.2f (%.2f)", v[0], v[1], v[0] - base);
    }

    private static String ratio(double a, double b) {
        if (b <= 0.5) {
            return "— (peer within 0.5 ns of baseline)";
        }
        return String.format(Locale.ROOT, "%.2f", Math.max(0, a) / b);
    }

    private static void e2eTables(StringBuilder md, EndToEnd.Results e2e) {
        md.append("## End to end, embedded Kafka (one KRaft node in the benchmark's JVM)\n\n");
        md.append("Each variant sends ").append(e2e.records()).append(" records of ").append(EndToEnd.VALUE_BYTES)
                .append(" bytes as fast as it can (linger.ms=5, batch.size=64 KiB, acks=all), waiting for every acknowledgement; ")
                .append("after a warm-up round, ").append(e2e.rounds()).append(" rounds, each starting with another variant; the median ")
                .append("round shown, with the slowest and fastest. Latency: send to acknowledgement, so it is mostly the time a ")
                .append("record waits in the producer's buffer behind the burst. The broker shares the benchmark's JVM and its 2 ")
                .append("cores, so differences within the spread of the raw producer are noise. The non-blocking ")
                .append("`CircuitBreakerProducer` (`nonBlocking(true)`: callers enqueue, one sender thread calls Kafka's `send()`) ")
                .append("and the EventBus's transport (non-blocking by default) get a send queue that holds a whole round; ")
                .append("a round in which any record fails is void and stops the run.\n\n");
        md.append("| variant | records/s (median) | slowest – fastest round | ÷ raw | p50 latency | p99 latency |\n|---|---|---|---|---|---|\n");
        double raw = e2e.of(EndToEnd.RAW).recordsPerSecond();
        for (int i = 0; i < e2e.throughput().size(); i++) {
            EndToEnd.Throughput t = e2e.throughput().get(i);
            double[] spread = e2e.spreads().get(i);
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f – %.0f | %.3f | %.0f ms | %.0f ms |%n", t.variant(),
                    t.recordsPerSecond(), spread[0], spread[1], t.recordsPerSecond() / raw, t.p50Micros() / 1000, t.p99Micros() / 1000));
        }
        EndToEnd.Outage o = e2e.outage();
        md.append("\n### A frozen broker (the proxy black-holes every connection), 4 sending threads\n\n");
        md.append("| | CircuitBreakerProducer | plain KafkaProducer |\n|---|---|---|\n");
        md.append(String.format(Locale.ROOT, "| time to open after the fault | %.2f s | — (no breaker) |%n", o.timeToOpenSeconds()));
        md.append(String.format(Locale.ROOT, "| a send while open | p50 %.1f µs, p99 %.1f µs (%d rejected sends) | "
                + "one send to a topic without metadata: %s (max.block.ms=10 s here; 60 s by default) |%n",
                o.rejectedP50Micros(), o.rejectedP99Micros(), o.rejectedSends(), o.plainOutcome()));
        md.append(String.format(Locale.ROOT, "| time to close after the broker is back (reset timeout 3 s) | %.2f s | — |%n%n",
                o.timeToCloseSeconds()));
    }

    private static void targets(StringBuilder md, Map<String, double[]> one, Map<String, double[]> four, EndToEnd.Results e2e) {
        double base1 = one.get("baseline")[0];
        double base4 = four.get("baseline")[0];
        double call1 = one.get("call_breakwater")[0] - base1;
        double r4j1 = one.get("call_resilience4j")[0] - base1;
        double call4 = four.get("call_breakwater")[0] - base4;
        double r4j4 = four.get("call_resilience4j")[0] - base4;
        double permission = one.get("permission_breakwater")[0] - base1;
        double noise = Math.max(one.get("baseline")[1], one.get("permission_breakwater")[1]);
        double raw = e2e.of(EndToEnd.RAW).recordsPerSecond();
        double wrapped = e2e.of(EndToEnd.WRAPPED).recordsPerSecond() / raw;
        double nonBlocking = e2e.of(EndToEnd.NON_BLOCKING).recordsPerSecond() / raw;
        double bus = e2e.of(EndToEnd.BUS).recordsPerSecond() / raw;
        md.append("## Targets\n\n| target | measured | met |\n|---|---|---|\n");
        md.append(target("full call ≤ 20 ns over baseline, 1 thread", String.format(Locale.ROOT, "%.1f ns", call1), call1 <= 20));
        md.append(target("full call ≥ 5× cheaper than Resilience4j, 1 thread",
                String.format(Locale.ROOT, "%.1f× cheaper", r4j1 / Math.max(call1, 0.01)), r4j1 >= 5 * call1));
        md.append(target("full call at 4 threads ≤ half of Resilience4j's cost",
                String.format(Locale.ROOT, "%.1f ns vs %.1f ns", call4, r4j4), call4 <= r4j4 / 2));
        md.append(target("permission check within noise of the baseline",
                String.format(Locale.ROOT, "%.2f ns over (noise ± %.2f ns)", permission, noise), permission <= noise));
        md.append(target("CircuitBreakerProducer (blocking) throughput ≥ 97 % of raw",
                String.format(Locale.ROOT, "%.1f %%", wrapped * 100), wrapped >= 0.97));
        md.append(target("CircuitBreakerProducer (non-blocking) throughput ≥ 97 % of raw",
                String.format(Locale.ROOT, "%.1f %%", nonBlocking * 100), nonBlocking >= 0.97));
        md.append(target("EventBus throughput ≥ 97 % of raw", String.format(Locale.ROOT, "%.1f %%", bus * 100), bus >= 0.97));
        md.append('\n');
    }

    private static String target(String what, String measured, boolean met) {
        return "| " + what + " | " + measured + " | " + (met ? "yes" : "**no**") + " |\n";
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String memory() {
        long bytes = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return String.format(Locale.ROOT, "%.0f GiB RAM", bytes / (1024.0 * 1024 * 1024));
    }
}
