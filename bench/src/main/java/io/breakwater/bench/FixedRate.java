package io.breakwater.bench;

import io.breakwater.bench.Variants.Variant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Latency added at a fixed rate: each variant sends 1 KiB records at {@code rate} per second, and each record's
 * latency runs from the moment it was due (not when it was sent: a sender that falls behind is charged for it) to
 * its acknowledgement, into an HdrHistogram per variant. Rounds rotate the order of the variants.
 */
final class FixedRate {

    record Row(String variant, long records, double p50Micros, double p99Micros, double p999Micros, double maxMicros) {
    }

    record Results(List<Row> rows, int rate, int seconds, int rounds) {
    }

    private FixedRate() {
    }

    static Results run(BenchConfig c, BenchBroker broker, Path spillDir) throws Exception {
        broker.createTopics(Variants.topics("lat-"));
        int perRound = c.rate() * c.latencySeconds();
        try (Variants variants = new Variants(Variants.props(broker.bootstrapServers(), 0), "lat-", perRound, spillDir)) {
            List<Variant> all = variants.all();
            Map<String, Histogram> histograms = new LinkedHashMap<>();
            for (Variant v : all) {
                histograms.put(v.name(), new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(5), 3));
            }
            for (int round = 0; round <= c.latencyRounds(); round++) {
                for (int i = 0; i < all.size(); i++) {
                    Variant v = all.get((round + i) % all.size());
                    // Round 0 warms every path up at the same rate, for a second or two, and is not counted.
                    Histogram into = round == 0 ? new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(5), 3) : histograms.get(v.name());
                    paced(v, c.rate(), round == 0 ? Math.min(perRound, 2 * c.rate()) : perRound, into);
                }
            }
            List<Row> rows = new ArrayList<>();
            histograms.forEach((name, h) -> rows.add(new Row(name, h.getTotalCount(), h.getValueAtPercentile(50),
                    h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue())));
            return new Results(rows, c.rate(), c.latencySeconds(), c.latencyRounds());
        }
    }

    /** Sends {@code n} records through {@code v}, one every 1/rate s, and records each one's latency from when it was due. */
    private static void paced(Variant v, int rate, int n, Histogram into) throws InterruptedException {
        byte[] value = new byte[Variants.VALUE_BYTES];
        double interval = 1e9 / rate;
        CountDownLatch done = new CountDownLatch(n);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        for (int i = 0; i < n; i++) {
            long due = start + (long) (i * interval);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                if (wait > 200_000) {
                    LockSupport.parkNanos(wait - 100_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            v.send(i, value, error -> {
                into.recordValue(Math.max(0, (System.nanoTime() - due) / 1_000));
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
    }

    static void report(StringBuilder md, Results r, String pinning) {
        md.append("## End to end: latency at a fixed rate\n\n");
        md.append(String.format(Locale.ROOT, "Each variant sends %d records/s of %d bytes for %d s per round (acks=all, "
                + "linger.ms=0), %d round(s) after a warm-up, the variants' order rotating each round; %s. Latency: from when "
                + "a record was due to its acknowledgement (a sender that falls behind is charged for the wait), in an "
                + "HdrHistogram per variant. Δ: the difference to the raw producer at the same percentile.%n%n",
                r.rate(), Variants.VALUE_BYTES, r.seconds(), r.rounds(), pinning));
        md.append("| variant | records | p50 | p99 | p99.9 | max | Δ p50 | Δ p99 | Δ p99.9 |\n|---|---|---|---|---|---|---|---|---|\n");
        Row raw = r.rows().stream().filter(x -> x.variant().equals(Variants.RAW)).findFirst().orElseThrow();
        for (Row x : r.rows()) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |%n", x.variant(), x.records(),
                    micros(x.p50Micros()), micros(x.p99Micros()), micros(x.p999Micros()), micros(x.maxMicros()),
                    delta(x.p50Micros() - raw.p50Micros()), delta(x.p99Micros() - raw.p99Micros()),
                    delta(x.p999Micros() - raw.p999Micros())));
        }
        md.append('\n');
    }

    private static String micros(double micros) {
        return micros >= 10_000 ? String.format(Locale.ROOT, "%.1f ms", micros / 1000) : String.format(Locale.ROOT, "%.0f µs", micros);
    }

    private static String delta(double micros) {
        return (micros >= 0 ? "+" : "−") + micros(Math.abs(micros));
    }
}
