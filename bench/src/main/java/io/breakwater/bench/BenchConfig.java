package io.breakwater.bench;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What one run of the benchmarks does, from system properties ({@code -Dbench.mode=quick}, ...). Two modes: {@code
 * full}, the method the results are quoted from (JMH: 3 forks, 5 × 1 s warm-up and 10 × 1 s measurement per
 * scenario; end to end: 10 interleaved rounds; 100,000 streams), and {@code quick}, a fast look whose figures carry no
 * claim. Every figure may be set by hand, to prove a part in a tiny configuration.
 */
record BenchConfig(String mode, Set<String> parts, int forks, int warmups, int iterations, String jmhInclude,
                   String jmhCpus, int records, int rounds, boolean jfr, int rate, int latencySeconds, int latencyRounds,
                   int streams, int publishes, int replayEvents, int spillSingles, int spillEvents, String brokerCpus,
                   String clientCpus, int costRecords) {

    /** The parts of a run, in the order they run. */
    static final List<String> ALL_PARTS = List.of("jmh", "cost", "e2e", "latency", "spill", "outage", "scale");

    static BenchConfig fromSystemProperties() {
        String mode = System.getProperty("bench.mode", "full").toLowerCase(Locale.ROOT);
        boolean full = switch (mode) {
            case "full" -> true;
            case "quick" -> false;
            default -> throw new IllegalArgumentException("bench.mode must be full or quick, but was '" + mode + "'");
        };
        Set<String> parts = new LinkedHashSet<>();
        for (String part : System.getProperty("bench.parts", String.join(",", ALL_PARTS)).split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (!ALL_PARTS.contains(p)) {
                throw new IllegalArgumentException("bench.parts takes " + ALL_PARTS + ", but was given '" + part + "'");
            }
            parts.add(p);
        }
        return new BenchConfig(mode, parts,
                positive("bench.forks", full ? 3 : 1),
                positive("bench.warmups", full ? 5 : 3),
                positive("bench.iterations", full ? 10 : 5),
                System.getProperty("bench.include", ""),
                cpus("bench.jmh.cpus"),
                positive("bench.records", full ? 100_000 : 20_000),
                positive("bench.rounds", full ? 10 : 3),
                Boolean.parseBoolean(System.getProperty("bench.jfr", Boolean.toString(full))),
                positive("bench.rate", 5_000),
                positive("bench.latency.seconds", full ? 20 : 5),
                positive("bench.latency.rounds", full ? 2 : 1),
                positive("bench.streams", full ? 100_000 : 10_000),
                positive("bench.publishes", full ? 200_000 : 50_000),
                positive("bench.replay.events", full ? 20_000 : 5_000),
                positive("bench.spill.singles", full ? 2_000 : 500),
                positive("bench.spill.events", full ? 20_000 : 5_000),
                cpus("bench.broker.cpus"),
                cpus("bench.client.cpus"),
                // The cost part's bursts: long enough that this JVM's CPU time, counted in ticks of 10 ms, is exact to
                // about 1 % (a burst of 100,000 records over the bare mock took about 15 ms).
                positive("bench.cost.records", full ? 1_000_000 : 100_000));
    }

    boolean runs(String part) {
        return parts.contains(part);
    }

    boolean full() {
        return mode.equals("full");
    }

    private static int positive(String property, int fallback) {
        String value = System.getProperty(property);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException(property + " must be a whole number > 0, but was '" + value + "'");
    }

    /** A CPU list for taskset ({@code 0}, {@code 0,1}, {@code 0-3}), or null when not given. */
    private static String cpus(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!value.matches("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*")) {
            throw new IllegalArgumentException(property + " must be a CPU list such as 0 or 0,1 or 0-3, but was '" + value + "'");
        }
        return value;
    }

    /** The run's figures, for the report's method section. */
    String describe() {
        return String.format(Locale.ROOT, "mode %s; parts %s", mode, Arrays.toString(parts.toArray()));
    }
}
