package io.breakwater.bench;

import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.eventbus.SpillStatus;
import io.breakwater.spill.SpilledEvent;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The spill's figures: durable appends of 1 KiB events to SQLite (one at a time, in batches as the bus's writer
 * makes them, and through the bus itself), and the replay of a spill onto the broker.
 */
final class SpillBench {

    /** Batch sizes measured straight on the store; 512 is the most the bus's writer appends at once. */
    static final List<Integer> BATCHES = List.of(1, 64, 512);

    /** One way of appending: the events appended, events/s, and the latency of one call. */
    record Append(String variant, int events, double eventsPerSecond, double p50Micros, double p99Micros) {
    }

    /** A spill of {@code events} replayed onto the broker. */
    record Replay(int events, double seconds, double eventsPerSecond) {
    }

    private SpillBench() {
    }

    /** {@code singles} appends of one event, then about {@code batched} events in each batch size, then through a bus. */
    static List<Append> appends(int singles, int batched) throws IOException {
        Path dir = Files.createTempDirectory("breakwater-bench-spill");
        try {
            List<Append> results = new ArrayList<>();
            for (int batch : BATCHES) {
                int calls = batch == 1 ? singles : Math.max(1, batched / batch);
                try (SqliteSpillStore store = SqliteSpillStore.open(dir.resolve("batch-" + batch + ".db"))) {
                    appendCalls(store, Math.max(1, calls / 10), batch); // warm-up
                    results.add(appendCalls(store, calls, batch));
                }
            }
            results.add(throughBus(dir.resolve("bus.db"), batched));
            return results;
        } finally {
            delete(dir);
        }
    }

    private static Append appendCalls(SqliteSpillStore store, int calls, int batch) {
        byte[] value = new byte[Variants.VALUE_BYTES];
        // Made before the clock starts: the figures are the store's, not those of making random event ids.
        List<List<SpilledEvent>> batches = new ArrayList<>(calls);
        for (int c = 0; c < calls; c++) {
            List<SpilledEvent> events = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                events.add(SpilledEvent.of("bench", "bench", "k" + (i & 63), value, Map.of(), (long) c * batch + i,
                        System.currentTimeMillis()));
            }
            batches.add(events);
        }
        long[] latency = new long[calls];
        long start = System.nanoTime();
        for (int c = 0; c < calls; c++) {
            long t0 = System.nanoTime();
            store.append(batches.get(c));
            latency[c] = System.nanoTime() - t0;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(latency);
        String variant = batch == 1 ? "SqliteSpillStore.append, one event a call" : "SqliteSpillStore.append, " + batch + " events a call";
        return new Append(variant, calls * batch, calls * batch / seconds, latency[calls / 2] / 1e3,
                latency[Math.min(calls - 1, (int) (calls * 0.99))] / 1e3);
    }

    /**
     * {@code events} publishes refused by an open breaker, as fast as one thread makes them: the bus's writer
     * appends what has queued, up to 512 at a time. Latency: the publish to its future's completion (durable).
     */
    private static Append throughBus(Path file, int events) {
        MockProducer<String, byte[]> never = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
        RedpandaTransport transport = RedpandaTransport.builder(never).codec(new Variants.Bytes()).build();
        try (EventBus bus = EventBus.builder(transport).spill(SqliteSpillStore.open(file))
                .defaultChannelConfig(CircuitBreakerConfig.builder("bench").build()).build()) {
            bus.channelBreaker("bench").forceOpen();
            byte[] value = new byte[Variants.VALUE_BYTES];
            long[] latency = new long[events];
            List<CompletableFuture<PublishResult>> all = new ArrayList<>(events);
            long start = System.nanoTime();
            for (int i = 0; i < events; i++) {
                int index = i;
                long t0 = System.nanoTime();
                all.add(bus.publishStream("bench", "k" + (i & 63), value, Map.of())
                        .whenComplete((r, e) -> latency[index] = System.nanoTime() - t0));
            }
            long spilled = all.stream().map(CompletableFuture::join).filter(PublishResult::spilled).count();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (spilled != events) {
                throw new IllegalStateException("the bus spilled " + spilled + " of " + events + " refused publishes");
            }
            Arrays.sort(latency);
            return new Append("EventBus.publishStream refused, to durable in the spill", events, events / seconds,
                    latency[events / 2] / 1e3, latency[Math.min(events - 1, (int) (events * 0.99))] / 1e3);
        }
    }

    /**
     * A spill of {@code events} 1 KiB events, made while the stream's breaker was open, replayed onto the broker
     * of {@code producerProps} once it closes: from the close until the spill is empty.
     */
    static Replay replay(Map<String, Object> producerProps, int events) throws Exception {
        Path dir = Files.createTempDirectory("breakwater-bench-replay");
        RedpandaTransport transport = RedpandaTransport.builder(producerProps).codec(new Variants.Bytes()).build();
        try (EventBus bus = EventBus.builder(transport).spill(SqliteSpillStore.open(dir.resolve("replay.db"))).build()) {
            byte[] value = new byte[Variants.VALUE_BYTES];
            bus.publishStream("e2e-replay", "warm-up", value, Map.of()).get(30, TimeUnit.SECONDS);
            bus.channelBreaker("e2e-replay").forceOpen();
            List<CompletableFuture<PublishResult>> all = new ArrayList<>(events);
            for (int i = 0; i < events; i++) {
                all.add(bus.publishStream("e2e-replay", "k" + (i & 63), value, Map.of()));
            }
            all.forEach(CompletableFuture::join);
            SpillStatus before = bus.spillStatus().get(0);
            if (before.pending() != events) {
                throw new IllegalStateException("the spill holds " + before.pending() + " events, not " + events);
            }
            long start = System.nanoTime();
            bus.channelBreaker("e2e-replay").reset();
            long deadline = start + TimeUnit.MINUTES.toNanos(5);
            SpillStatus now;
            while ((now = bus.spillStatus().get(0)).pending() > 0 || now.replayed() < events) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replay unfinished after 5 minutes: " + now);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Replay(events, seconds, events / seconds);
        } finally {
            delete(dir);
        }
    }

    /** The spill's sections of the report. */
    static void report(StringBuilder md, List<Append> appends, Replay replay) {
        md.append("## The spill (SQLite, durable: WAL, synchronous=FULL)\n\n");
        md.append("Appends of ").append(Variants.VALUE_BYTES).append("-byte events to a `SqliteSpillStore` in a temporary ")
                .append("directory, from one thread; each call is one transaction, on disk when it returns. Latency: one call. ")
                .append("The last row goes through the bus: publishes refused by an open breaker, queued to the bus's writer ")
                .append("thread, which appends what has queued (up to 512 events a transaction), all of them at once from one ")
                .append("thread; latency from the publish to its future's completion (the event durable), so it is mostly the wait ")
                .append("behind the burst.\n\n");
        md.append("| appends | events | events/s | p50 latency | p99 latency |\n|---|---|---|---|---|\n");
        for (Append a : appends) {
            md.append(String.format(java.util.Locale.ROOT, "| %s | %d | %.0f | %s | %s |%n", a.variant(), a.events(),
                    a.eventsPerSecond(), micros(a.p50Micros()), micros(a.p99Micros())));
        }
        md.append(String.format(java.util.Locale.ROOT, "%nReplay: %d events spilled while the stream's breaker was open, "
                + "sent back onto the forked broker once it closed (batches of 256, each after the last is acknowledged), "
                + "until the spill was empty: %.2f s, **%.0f events/s**.%n%n", replay.events(), replay.seconds(),
                replay.eventsPerSecond()));
    }

    private static String micros(double micros) {
        return micros >= 10_000 ? String.format(java.util.Locale.ROOT, "%.1f ms", micros / 1000)
                : String.format(java.util.Locale.ROOT, "%.0f µs", micros);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
