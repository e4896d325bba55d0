package io.breakwater.bench;

import io.breakwater.bench.Variants.Variant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Throughput end to end, against the forked broker: every variant sends a burst of records as fast as it can and waits
 * for every acknowledgement; after a warm-up round, interleaved rounds, each starting with another variant. Per variant:
 * the median round and the spread, and the median of its per-round ratio to the raw producer of the same round (which
 * cancels the drift of a shared machine). A variant below 0.97 of raw gets a Flight Recorder profile when asked.
 */
final class EndToEnd {

    static final double TARGET = 0.97;

    /** One burst of one variant. */
    record Burst(double recordsPerSecond, double p50Micros, double p99Micros, double cpuMicrosPerRecord, double gcMillis,
                 double allocatedBytesPerRecord, double brokerCpuMicrosPerRecord) {
    }

    /** One variant over every round. */
    record Row(String variant, double median, double slowest, double fastest, double ratio, double ratioLow,
               double ratioHigh, double p50Micros, double p99Micros, double cpuMicros, double cpuRatio, double gcMillis,
               double allocatedBytes, double brokerCpuMicros, double brokerCpuRatio) {
    }

    record Results(List<Row> rows, int records, int rounds, boolean recorder, Map<String, JfrProfile.Summary> profiles) {
    }

    private EndToEnd() {
    }

    static Results run(BenchConfig c, BenchBroker broker, Path spillDir, Path jfrDir) throws Exception {
        broker.createTopics(Variants.topics("e2e-"));
        if (c.jfr()) {
            JfrProfile.prime();   // before the warm-up round, so that no later recording's start drops compiled code
        }
        try (Variants variants = new Variants(Variants.props(broker.bootstrapServers(), 5), "e2e-", c.records(), spillDir)) {
            List<Variant> all = variants.all();
            Map<String, List<Burst>> bursts = new LinkedHashMap<>();
            for (int round = 0; round <= c.rounds(); round++) {
                int n = round == 0 ? Math.max(1, c.records() / 5) : c.records(); // round 0 warms every path up
                for (int i = 0; i < all.size(); i++) {
                    Variant v = all.get((round + i) % all.size());
                    Burst b = explained(variants, () -> burst(v, n, broker::cpuNanos));
                    if (round > 0) {
                        bursts.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(b);
                    }
                }
            }
            // bursts.get(name).get(r) is round r + 1 of that variant, whatever its place in the round.
            List<Burst> raw = bursts.get(Variants.RAW);
            List<Row> rows = new ArrayList<>();
            for (Variant v : all) {
                List<Burst> own = bursts.get(v.name());
                double[] rates = own.stream().mapToDouble(Burst::recordsPerSecond).sorted().toArray();
                double[] ratios = new double[own.size()];
                double[] cpuRatios = new double[own.size()];
                double[] brokerCpuRatios = new double[own.size()];
                for (int r = 0; r < own.size(); r++) {
                    ratios[r] = own.get(r).recordsPerSecond() / raw.get(r).recordsPerSecond();
                    cpuRatios[r] = own.get(r).cpuMicrosPerRecord() / raw.get(r).cpuMicrosPerRecord();
                    brokerCpuRatios[r] = own.get(r).brokerCpuMicrosPerRecord() / raw.get(r).brokerCpuMicrosPerRecord();
                }
                Arrays.sort(ratios);
                Arrays.sort(cpuRatios);
                Arrays.sort(brokerCpuRatios);
                rows.add(new Row(v.name(), median(rates), rates[0], rates[rates.length - 1], median(ratios), ratios[0],
                        ratios[ratios.length - 1], median(own.stream().mapToDouble(Burst::p50Micros).sorted().toArray()),
                        median(own.stream().mapToDouble(Burst::p99Micros).sorted().toArray()),
                        median(own.stream().mapToDouble(Burst::cpuMicrosPerRecord).sorted().toArray()), median(cpuRatios),
                        median(own.stream().mapToDouble(Burst::gcMillis).sorted().toArray()),
                        median(own.stream().mapToDouble(Burst::allocatedBytesPerRecord).sorted().toArray()),
                        median(own.stream().mapToDouble(Burst::brokerCpuMicrosPerRecord).sorted().toArray()),
                        median(brokerCpuRatios)));
            }
            Map<String, JfrProfile.Summary> profiles = new LinkedHashMap<>();
            if (c.jfr()) {
                for (Row row : rows) {
                    if (row.ratio() < TARGET && !Variants.control(row.variant())) {
                        Variant v = all.stream().filter(x -> x.name().equals(row.variant())).findFirst().orElseThrow();
                        String file = row.variant().replaceAll("[^A-Za-z0-9]+", "-").replaceAll("-$", "") + ".jfr";
                        // its code compiled again for its own types, after the others
                        explained(variants, () -> burst(v, c.records(), broker::cpuNanos));
                        profiles.put(row.variant(), JfrProfile.record(jfrDir.resolve(file), () -> {
                            explained(variants, () -> burst(v, c.records(), broker::cpuNanos));
                            explained(variants, () -> burst(v, c.records(), broker::cpuNanos));
                        }));
                    }
                }
            }
            return new Results(rows, c.records(), c.rounds(), c.jfr(), profiles);
        }
    }

    /** A burst whose failure, if it fails, says what the guards' breakers did first (no fault is injected here). */
    private static Burst explained(Variants variants, Callable<Burst> burst) throws Exception {
        try {
            return burst.call();
        } catch (IllegalStateException e) {
            List<String> moves = variants.transitions();
            throw new IllegalStateException(e.getMessage() + (moves.isEmpty() ? "; no breaker moved"
                    : "; the breakers' transitions so far:\n  " + String.join("\n  ", moves)), e);
        }
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Sends {@code n} records through {@code v} as fast as it takes them and waits for every answer; one failure voids the
     * run. {@code brokerCpu}: the broker's CPU nanoseconds so far.
     */
    static Burst burst(Variant v, int n, LongSupplier brokerCpu) throws InterruptedException {
        byte[] value = new byte[Variants.VALUE_BYTES];
        long[] sentAt = new long[n];
        long[] latency = new long[n];
        CountDownLatch done = new CountDownLatch(n);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        long cpuStart = processCpuNanos();
        long brokerStart = brokerCpu.getAsLong();
        long gcStart = gcMillis();
        long allocatedStart = allocatedBytes();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int index = i;
            sentAt[i] = System.nanoTime();
            v.send(i, value, error -> {
                latency[index] = System.nanoTime() - sentAt[index];
                if (error != null) {
                    errors.add(error);
                }
                done.countDown();
            });
        }
        if (!done.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException(v.name() + ": not every record was answered within 5 minutes");
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException(v.name() + ": " + errors.size() + " of " + n + " records failed", errors.peek());
        }
        long elapsed = System.nanoTime() - start;
        long cpu = processCpuNanos() - cpuStart;
        long brokerUsed = brokerCpu.getAsLong() - brokerStart;
        double gc = gcMillis() - gcStart;
        double allocated = (allocatedBytes() - allocatedStart) / (double) n;
        Arrays.sort(latency);
        return new Burst(n / (elapsed / 1e9), latency[n / 2] / 1e3, latency[Math.min(n - 1, (int) (n * 0.99))] / 1e3,
                cpu / 1e3 / n, gc, allocated, brokerUsed / 1e3 / n);
    }

    /** The collectors' time of this JVM so far, in milliseconds (their pauses, and their concurrent cycles where counted). */
    static long gcMillis() {
        long total = 0;
        for (var collector : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, collector.getCollectionTime());
        }
        return total;
    }

    /** The bytes every thread of this JVM has allocated so far (an approximation, as the JVM counts them). */
    static long allocatedBytes() {
        if (java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads) {
            return threads.getTotalThreadAllocatedBytes();
        }
        throw new IllegalStateException("this JVM does not count its threads' allocations (com.sun.management.ThreadMXBean)");
    }

    /** The CPU time of this JVM so far (every thread, the collector's and the compiler's too); the broker's is its own. */
    static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        throw new IllegalStateException("this JVM does not report its CPU time (com.sun.management.OperatingSystemMXBean)");
    }

    static void report(StringBuilder md, Results e, String pinning, Targets t) {
        md.append("## End to end: throughput against a broker in its own JVM\n\n");
        md.append("One KRaft node in a JVM of its own (C2, 1 GiB heap), reached directly, not through the testkit's proxy; ")
                .append(pinning).append(". Each variant sends ").append(e.records()).append(" records of ")
                .append(Variants.VALUE_BYTES).append(" bytes as fast as it can (acks=all, linger.ms=5, batch.size=64 KiB) and ")
                .append("waits for every acknowledgement; after a warm-up round, ").append(e.rounds())
                .append(" rounds, each starting with another variant. Shown: the median round, the slowest and fastest, and the ")
                .append("median of the variant's ratio to the raw producer's round of the same round, with its spread. ")
                .append("Latency: send to acknowledgement within a burst, mostly the wait in the producer's buffer. ")
                .append("The non-blocking variants get a send queue that holds a whole burst; a round in which any record fails ")
                .append("is void and stops the run. Client CPU: this JVM's CPU time over the burst (every thread: the caller, ")
                .append("the sender and Kafka's network thread, the collector, the compiler) per record, the median round, and its ")
                .append("median ratio to the raw producer's in the same round; the broker's CPU is not in it. With the broker on ")
                .append("the same cores, each microsecond the client spends is one the broker does not get. Collector: the ")
                .append("time this JVM's collectors report for the burst, the median round; allocated: the bytes this JVM's ")
                .append("threads allocated over the burst per record, the median round. Broker CPU: the broker JVM's CPU time ")
                .append("over the burst per record (as its process reports it, in clock ticks of 10 ms: about 1.5 % of a burst of ")
                .append("0.7 s; it includes the broker's own background work, such as deleting the segments of earlier ")
                .append("bursts), the median round, and its median ratio to raw's in the same round. `").append(Variants.RAW_HEADERS).append("` is a control, ")
                .append("not a guard: Kafka's producer alone, each record with the two headers an EventBus event carries ")
                .append("(its content type, and an id made as the bus makes it), so the EventBus's rows can be told apart into what ")
                .append("Kafka spends on those headers, on both sides, and what the bus itself spends.")
                .append(e.recorder() ? " Flight Recorder was started once before the warm-up round (its first start "
                        + "makes the JIT drop compiled code), so every round ran with it started; it records only during the "
                        + "profiles below.\n\n" : "\n\n");
        md.append("| variant | records/s (median) | slowest – fastest | ÷ raw (median of rounds) | ÷ raw spread | p50 | p99 "
                + "| client CPU per record | ÷ raw CPU | broker CPU per record | ÷ raw broker CPU | collector per round "
                + "| allocated per record |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : e.rows()) {
            md.append(String.format(Locale.ROOT,
                    "| %s | %.0f | %.0f – %.0f | %.3f | %.3f – %.3f | %.0f ms | %.0f ms | %.2f µs | %.2f | %.2f µs | %.2f "
                            + "| %.0f ms | %.0f B |%n",
                    r.variant(), r.median(), r.slowest(), r.fastest(), r.ratio(), r.ratioLow(), r.ratioHigh(),
                    r.p50Micros() / 1000, r.p99Micros() / 1000, r.cpuMicros(), r.cpuRatio(), r.brokerCpuMicros(),
                    r.brokerCpuRatio(), r.gcMillis(), r.allocatedBytes()));
            if (!Variants.control(r.variant())) {
                t.atLeast(r.variant() + ": throughput ≥ 0.97 of raw (median of per-round ratios)", r.ratio(), TARGET, "",
                        String.format(Locale.ROOT, "%.3f (rounds %.3f – %.3f)", r.ratio(), r.ratioLow(), r.ratioHigh()));
            }
        }
        md.append('\n');
        e.profiles().forEach((variant, summary) -> JfrProfile.report(md, variant, summary));
    }
}
