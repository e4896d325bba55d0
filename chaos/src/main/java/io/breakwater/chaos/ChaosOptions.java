package io.breakwater.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The options of a run.
 *
 * @param duration     how long the nemesis runs (faults within it; the load runs on while the cluster heals)
 * @param seed         the nemesis schedule's seed
 * @param rate         events per second of each workload
 * @param keys         keys per workload
 * @param threads      caller threads per workload (each owns some of the keys)
 * @param resetTimeout every breaker's reset timeout
 * @param outDir       where each run gets a directory of its own (history, spill, broker logs, summary)
 * @param results      where the summary is also written (chaos/RESULTS.md); null: only in the run's directory
 */
record ChaosOptions(Duration duration, long seed, int rate, int keys, int threads, Duration resetTimeout, Path outDir,
                    Path results) {

    static final String USAGE = """
            usage: chaos/run [--minutes N] [--seed S] [--rate R] [--keys K] [--threads T] [--reset-timeout-seconds N]
                             [--out DIR] [--results FILE]
              --minutes N                 how long faults are injected (default 30; decimals allowed)
              --seed S                    the nemesis schedule's seed (default: a new one, printed)
              --rate R                    events per second of each of the five workloads (default 40)
              --keys K                    keys per workload (default 8)
              --threads T                 caller threads per workload, each owning some keys (default 2)
              --reset-timeout-seconds N   every breaker's reset timeout (default 5)
              --out DIR                   where each run gets a directory (default chaos/target/runs)
              --results FILE              also write the summary there (chaos/run: chaos/RESULTS.md)
            """;

    /**
     * The options {@code args} give.
     *
     * @throws IllegalArgumentException naming the option and the value when one is unknown, missing or out of range
     */
    static ChaosOptions parse(String... args) {
        double minutes = 30;
        long seed = System.nanoTime() ^ System.currentTimeMillis();
        int rate = 40;
        int keys = 8;
        int threads = 2;
        long resetSeconds = 5;
        Path out = Path.of("chaos", "target", "runs");
        Path results = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value" : "unknown argument '" + option + "'");
            }
            String value = args[++i];
            switch (option) {
                case "--minutes" -> minutes = number(option, value, 0.05, 24 * 60);
                case "--seed" -> seed = (long) integer(option, value, Long.MIN_VALUE, Long.MAX_VALUE);
                case "--rate" -> rate = (int) integer(option, value, 1, 1_000);
                case "--keys" -> keys = (int) integer(option, value, 1, 1_000);
                case "--threads" -> threads = (int) integer(option, value, 1, 64);
                case "--reset-timeout-seconds" -> resetSeconds = integer(option, value, 1, 600);
                case "--out" -> out = Path.of(value);
                case "--results" -> results = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }
        if (threads > keys) {
            throw new IllegalArgumentException("--threads must be at most --keys (" + keys + "), but was " + threads);
        }
        return new ChaosOptions(Duration.ofMillis(Math.round(minutes * 60_000)), seed, rate, keys, threads,
                Duration.ofSeconds(resetSeconds), out, results);
    }

    private static double number(String option, String value, double min, double max) {
        double n;
        try {
            n = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number, but was '" + value + "'");
        }
        if (!(n >= min && n <= max)) { // NaN too
            throw outOfRange(option, value, min, max);
        }
        return n;
    }

    private static long integer(String option, String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number, but was '" + value + "'");
        }
        if (n < min || n > max) {
            throw outOfRange(option, value, min, max);
        }
        return n;
    }

    private static IllegalArgumentException outOfRange(String option, String value, Object min, Object max) {
        return new IllegalArgumentException(option + " must be in [" + min + ", " + max + "], but was " + value);
    }

    /** The command that runs this schedule again: {@code chaos/run --minutes 3 --seed 42}. */
    String command() {
        double minutes = duration.toMillis() / 60_000.0;
        String m = minutes == Math.rint(minutes) ? Long.toString((long) minutes) : String.format(Locale.ROOT, "%.2f", minutes);
        return "chaos/run --minutes " + m + " --seed " + seed + (rate != 40 ? " --rate " + rate : "")
                + (keys != 8 ? " --keys " + keys : "") + (threads != 2 ? " --threads " + threads : "")
                + (resetTimeout.toSeconds() != 5 ? " --reset-timeout-seconds " + resetTimeout.toSeconds() : "");
    }
}
