package io.breakwater.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link BreakerBenchmarks} at a number of threads, with the GC profiler, and keeps each method's interval. */
final class JmhRun {

    /**
     * One benchmark method's result: the mean in ns/op, the half-width and bounds of its 99.9 % confidence interval
     * (JMH's), the samples it rests on (iterations of every fork), and the bytes it allocated per operation.
     */
    record Score(double mean, double error, double low, double high, long samples, double bytesPerOp) {

        /** This score less {@code baseline}'s: the mean difference, and the widest interval the two leave for it. */
        Score minus(Score baseline) {
            return new Score(mean - baseline.mean, error + baseline.error, low - baseline.high, high - baseline.low,
                    Math.min(samples, baseline.samples), bytesPerOp);
        }
    }

    private JmhRun() {
    }

    /** Benchmark method name ({@code scenario_library}, or {@code baseline}) to its score. */
    static Map<String, Score> run(BenchConfig config, int threads) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(BreakerBenchmarks.class.getName() + "." + config.jmhInclude())
                .forks(config.forks())
                .threads(threads)
                .warmupIterations(config.warmups())
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(config.iterations())
                .measurementTime(TimeValue.seconds(1))
                .addProfiler(GCProfiler.class)
                .jvmArgs("-Xms512m", "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error");
        if (config.jmhCpus() != null) {
            options.jvm(pinnedJava(config.jmhCpus()).toString());
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        Map<String, Score> scores = new HashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            Result<?> primary = r.getPrimaryResult();
            double[] interval = primary.getScoreConfidence();
            Result<?> gc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            scores.put(name.substring(name.lastIndexOf('.') + 1), new Score(primary.getScore(), primary.getScoreError(),
                    interval[0], interval[1], primary.getSampleCount(), gc == null ? Double.NaN : gc.getScore()));
        }
        return scores;
    }

    /** A launcher that runs this JVM's {@code java} under {@code taskset -c cpus}, for JMH's forks. */
    private static Path pinnedJava(String cpus) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path script = Files.createTempFile("breakwater-bench-java-", ".sh",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(script, "#!/bin/sh\nexec taskset -c " + cpus + " '" + java + "' \"$@\"\n");
        script.toFile().deleteOnExit();
        return script;
    }
}
