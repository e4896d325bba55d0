package io.breakwater.bench;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Many streams in one EventBus: the heap one more idle stream costs (and one more breaker alone, in a registry), the
 * cost of finding a breaker among them, and the caller's cost of {@code publishStream} as the streams grow. The bus
 * sends to a {@code MockProducer} that acknowledges at once: the figures are the bus's, not a broker's.
 */
final class Scale {

    /**
     * Publish cost with {@code streams} streams: ns per publishStream call, median and spread of the repetitions; and the
     * control's median: a library-free look-up of the stream's state among as many, and one write to it.
     */
    record Publish(int streams, double medianNanos, double lowNanos, double highNanos, double controlNanos, Cpu cpu) {
    }

    /**
     * CPU time per publish, the median of the repetitions, of each thread that works for it: the caller's (inside its
     * calls), the transport's sender thread's (it makes each record, sends it to the mock, which answers at
     * once, and hears the answer) and the watchdog's (it visits each stream that published since its last tick).
     */
    record Cpu(double callerNanos, double senderNanos, double watchdogNanos) {
    }

    record Results(int streams, double bytesPerBreaker, double bytesPerStream, double bytesPerPublishedStream,
                   double watchdogShare, double lookupNanos, double creationSeconds, List<Publish> publishes,
                   int publishesPerRepetition) {
    }

    static final int REPETITIONS = 3;
    static final int BATCH = 1_000;

    private Scale() {
    }

    static Results run(BenchConfig c) throws Exception {
        int n = c.streams();
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = "s" + i;
        }
        // Breakers alone, in a registry, with the EventBus's channel preset.
        long before = usedHeapAfterGc();
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry(BreakerPresets.kafkaChannel("scale"));
        for (String name : names) {
            registry.getOrCreate(BreakerPresets.KAFKA_CHANNEL_PREFIX + name);
        }
        double perBreaker = (usedHeapAfterGc() - before) / (double) n;
        double lookup = lookupNanos(registry, names);
        Reference.reachabilityFence(registry);
        registry = null;

        // Streams of a bus: channel, tracker, breaker, watchdog registration.
        MockProducer<String, byte[]> mock = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        before = usedHeapAfterGc();
        long created;
        double perStream;
        double perPublished;
        double watchdog;
        try (EventBus bus = bus(mock)) {
            long t0 = System.nanoTime();
            for (String name : names) {
                bus.channelBreaker(name);
            }
            created = System.nanoTime() - t0;
            perStream = (usedHeapAfterGc() - before) / (double) n;
            // Each stream publishes once, is answered, and is idle again: what a stream that was used holds.
            byte[] value = new byte[Variants.VALUE_BYTES];
            List<CompletableFuture<PublishResult>> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < n; i++) {
                batch.add(bus.publishStream(names[i], null, value, Map.of()));
                if (batch.size() == BATCH || i == n - 1) {
                    for (CompletableFuture<PublishResult> f : batch) {
                        f.get(30, TimeUnit.SECONDS);
                    }
                    batch.clear();
                    mock.clear();
                }
            }
            perPublished = (usedHeapAfterGc() - before) / (double) n;
            watchdog = watchdogShare();
        }
        List<Publish> publishes = new ArrayList<>();
        for (int streams = 10; streams < n; streams *= 10) {
            publishes.add(publishCost(streams, c.publishes(), names));
        }
        publishes.add(publishCost(n, c.publishes(), names));
        return new Results(n, perBreaker, perStream, perPublished, watchdog, lookup, created / 1e9, publishes, c.publishes());
    }

    private static EventBus bus(MockProducer<String, byte[]> mock) {
        return EventBus.builder(RedpandaTransport.builder(mock).codec(new Variants.Bytes()).sendQueueMaxRecords(4 * BATCH).build())
                .build();
    }

    /** Registry look-ups of existing breakers, in a random order fixed beforehand: ns per look-up. */
    private static double lookupNanos(CircuitBreakerRegistry registry, String[] names) {
        String[] full = Arrays.stream(names).map(s -> BreakerPresets.KAFKA_CHANNEL_PREFIX + s).toArray(String[]::new);
        int[] order = new SplittableRandom(17).ints(1 << 20, 0, full.length).toArray();
        long sink = 0;
        for (int i = 0; i < order.length; i++) { // warm-up
            sink += registry.getOrCreate(full[order[i]]).name().length();
        }
        long t0 = System.nanoTime();
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < order.length; i++) {
                sink += registry.getOrCreate(full[order[i]]).name().length();
            }
        }
        long elapsed = System.nanoTime() - t0;
        if (sink == 42) {
            System.out.print(""); // keeps the look-ups from being optimized away
        }
        return elapsed / (4.0 * order.length);
    }

    /** A bus with {@code streams} streams (made here), published to at random: the caller's ns per call, repeated. */
    private static Publish publishCost(int streams, int publishes, String[] names)
            throws Exception {
        MockProducer<String, byte[]> mock = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        try (EventBus bus = bus(mock)) {
            for (int i = 0; i < streams; i++) {
                bus.channelBreaker(names[i]);
            }
            byte[] value = new byte[Variants.VALUE_BYTES];
            SplittableRandom random = new SplittableRandom(streams);
            double[] costs = new double[REPETITIONS];
            double[][] cpu = new double[3][REPETITIONS];
            publish(bus, mock, names, streams, Math.max(BATCH, publishes / 4), value, random); // warm-up
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long[] sender = threadIds("breakwater-sender");
            long[] watchdog = threadIds("breakwater-watchdog");
            for (int r = 0; r < REPETITIONS; r++) {
                long sender0 = cpuOf(threads, sender);
                long watchdog0 = cpuOf(threads, watchdog);
                long[] calls = publish(bus, mock, names, streams, publishes, value, random);
                costs[r] = calls[0] / (double) publishes;
                cpu[0][r] = calls[1] / (double) publishes;
                cpu[1][r] = (cpuOf(threads, sender) - sender0) / (double) publishes;
                cpu[2][r] = (cpuOf(threads, watchdog) - watchdog0) / (double) publishes;
            }
            Arrays.sort(costs);
            for (double[] each : cpu) {
                Arrays.sort(each);
            }
            return new Publish(streams, costs[REPETITIONS / 2], costs[0], costs[REPETITIONS - 1],
                    controlNanos(streams, publishes, names),
                    new Cpu(cpu[0][REPETITIONS / 2], cpu[1][REPETITIONS / 2], cpu[2][REPETITIONS / 2]));
        }
    }

    /**
     * The floor of finding a stream's state among {@code streams} at random, without any library: a
     * {@code ConcurrentHashMap} look-up of the name (the map the bus keeps its streams in) and one write to the state it
     * maps to (1 KiB made per stream, in order, as a stream of the bus holds about that: as many bytes to miss in the
     * caches), each look-up after the last. The median of the repetitions, ns per
     * look-up.
     */
    private static double controlNanos(int streams, int count, String[] names) {
        java.util.concurrent.ConcurrentHashMap<String, long[]> states = new java.util.concurrent.ConcurrentHashMap<>();
        for (int i = 0; i < streams; i++) {
            states.put(names[i], new long[126]);   // 1 KiB with its header, as a stream holds about that
        }
        SplittableRandom random = new SplittableRandom(streams);
        double[] costs = new double[REPETITIONS + 1];
        long sink = 0;
        for (int r = 0; r <= REPETITIONS; r++) {   // the first warms up
            int[] targets = random.ints(count, 0, streams).toArray();
            long last = 0;
            long t0 = System.nanoTime();
            for (int target : targets) {
                // Each look-up waits for the one before (its index depends on the value last written: always 0 here,
                // which the compiler cannot know), as one publish does for the last: the processor may not overlap the
                // memory accesses of many look-ups, which no publish, hundreds of instructions long, would allow.
                last = ++states.get(names[target + (int) (last >>> 62)])[0];
                sink += last;
            }
            costs[r] = (System.nanoTime() - t0) / (double) count;
        }
        if (sink == 42) {
            System.out.print(""); // keeps the look-ups from being optimized away
        }
        double[] measured = Arrays.copyOfRange(costs, 1, costs.length);
        Arrays.sort(measured);
        return measured[REPETITIONS / 2];
    }

    /**
     * Publishes {@code count} events in batches, each batch answered before the next; returns the nanoseconds of the calls,
     * and the caller's CPU nanoseconds in them.
     */
    private static long[] publish(EventBus bus, MockProducer<String, byte[]> mock, String[] names, int streams, int count,
                                  byte[] value, SplittableRandom random) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long calls = 0;
        long cpu = 0;
        List<CompletableFuture<PublishResult>> batch = new ArrayList<>(BATCH);
        for (int done = 0; done < count; done += BATCH) {
            int size = Math.min(BATCH, count - done);
            int[] targets = random.ints(size, 0, streams).toArray();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < size; i++) {
                batch.add(bus.publishStream(names[targets[i]], null, value, Map.of()));
            }
            calls += System.nanoTime() - t0;
            cpu += threads.getCurrentThreadCpuTime() - cpu0;
            for (CompletableFuture<PublishResult> f : batch) {
                f.get(30, TimeUnit.SECONDS);
            }
            batch.clear();
            mock.clear(); // the mock keeps every record it was sent
        }
        return new long[] {calls, cpu};
    }

    /** The ids of the live threads whose names begin with {@code prefix} (there must be one). */
    private static long[] threadIds(String prefix) {
        long[] ids = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix))
                .mapToLong(Thread::getId).toArray();
        if (ids.length == 0) {
            throw new IllegalStateException("no thread named " + prefix + "...");
        }
        return ids;
    }

    /** The CPU time of the threads {@code ids}, summed (one that ended counts nothing). */
    private static long cpuOf(ThreadMXBean threads, long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, threads.getThreadCpuTime(id));
        }
        return sum;
    }

    /** The watchdog thread's CPU over two seconds, as a share of one core. */
    private static double watchdogShare() throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] watchdog = threadIds("breakwater-watchdog");
        long cpu0 = cpuOf(threads, watchdog);
        long t0 = System.nanoTime();
        Thread.sleep(2_000); // a measuring window, not a wait for a condition
        return (cpuOf(threads, watchdog) - cpu0) / (double) (System.nanoTime() - t0);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
