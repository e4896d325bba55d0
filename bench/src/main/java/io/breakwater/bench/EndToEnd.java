package io.breakwater.bench;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.eventbus.EventBus;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.transport.redpanda.EventCodec;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Throughput, latency and outage figures against the embedded broker, one run for every variant. */
final class EndToEnd {

    static final int VALUE_BYTES = 1024;

    record Throughput(String variant, double recordsPerSecond, double p50Micros, double p99Micros) {
    }

    record Outage(double timeToOpenSeconds, double rejectedP50Micros, double rejectedP99Micros, long rejectedSends,
                  double timeToCloseSeconds, double plainBlockedSeconds, String plainOutcome) {
    }

    record Results(List<Throughput> throughput, List<double[]> spreads, Outage outage, SpillBench.Replay replay, int records,
                   int rounds) {

        /** The median round of {@code variant}. */
        Throughput of(String variant) {
            return throughput.stream().filter(t -> t.variant().equals(variant)).findFirst().orElseThrow();
        }
    }

    static final String RAW = "raw KafkaProducer";
    static final String WRAPPED = "CircuitBreakerProducer (blocking)";
    static final String NON_BLOCKING = "CircuitBreakerProducer (non-blocking)";
    static final String INTERCEPTED = "KafkaProducer + interceptor";
    static final String BUS = "EventBus.publishStream";
    static final List<String> VARIANTS = List.of(RAW, WRAPPED, NON_BLOCKING, INTERCEPTED, BUS);

    private interface Variant {
        Throughput run(int records) throws InterruptedException;
    }

    /** Passes byte[] events through, so the EventBus moves the same 1 KiB values as the producers. */
    static final class Bytes implements EventCodec {
        @Override
        public byte[] encode(Object event) {
            return (byte[]) event;
        }

        @Override
        public String contentType() {
            return "application/octet-stream";
        }
    }

    /**
     * Closes its producer with a timeout: a non-blocking {@code CircuitBreakerProducer}'s {@code close()} throws
     * {@code ArithmeticException} (it passes {@code Duration.ofMillis(Long.MAX_VALUE)} on, whose nanos overflow).
     */
    private record ClosedWithin(Producer<String, byte[]> producer) implements AutoCloseable {
        @Override
        public void close() {
            producer.close(java.time.Duration.ofSeconds(30));
        }
    }

    private EndToEnd() {
    }

    static Results run(int records, int rounds, int replayEvents) throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.startSingleNode()) {
            String bootstrap = kafka.bootstrapServers();
            for (String topic : List.of("e2e-raw", "e2e-wrapped", "e2e-nonblocking", "e2e-intercepted", "e2e-eventbus", "e2e-replay")) {
                kafka.createTopic(topic, 3, 1, Map.of());
            }
            Map<String, List<Throughput>> runs = new HashMap<>();
            // The non-blocking queues hold a whole burst: the variants measure throughput, not a full queue's refusals.
            try (Producer<String, byte[]> raw = new KafkaProducer<>(props(bootstrap));
                 Producer<String, byte[]> wrapped = CircuitBreakerProducer.wrap(new KafkaProducer<>(props(bootstrap)),
                         CircuitBreaker.ofDefaults("e2e-wrapped"));
                 ClosedWithin nonBlocking = new ClosedWithin(CircuitBreakerProducer.builder(new KafkaProducer<String, byte[]>(
                         props(bootstrap))).breaker(CircuitBreaker.ofDefaults("e2e-nonblocking")).nonBlocking(true)
                         .sendQueueMaxRecords(records).build());
                 Producer<String, byte[]> intercepted = new KafkaProducer<>(intercepted(bootstrap));
                 EventBus bus = EventBus.builder(RedpandaTransport.builder(props(bootstrap)).codec(new Bytes())
                         .sendQueueMaxRecords(records).build()).build()) {
                List<Variant> variants = List.of(
                        n -> viaProducer(RAW, raw, "e2e-raw", n),
                        n -> viaProducer(WRAPPED, wrapped, "e2e-wrapped", n),
                        n -> viaProducer(NON_BLOCKING, nonBlocking.producer(), "e2e-nonblocking", n),
                        n -> viaProducer(INTERCEPTED, intercepted, "e2e-intercepted", n),
                        n -> viaEventBus(bus, n));
                for (int round = 0; round <= rounds; round++) {
                    int n = round == 0 ? records / 5 : records; // round 0 warms every path up
                    // Each round starts with another variant, so no variant always runs first (or last).
                    for (int i = 0; i < variants.size(); i++) {
                        Throughput t = variants.get((round + i) % variants.size()).run(n);
                        if (round > 0) {
                            runs.computeIfAbsent(t.variant(), k -> new ArrayList<>()).add(t);
                        }
                    }
                }
            }
            List<Throughput> medians = new ArrayList<>();
            List<double[]> spreads = new ArrayList<>();
            for (String variant : VARIANTS) {
                List<Throughput> all = new ArrayList<>(runs.get(variant));
                all.sort((a, b) -> Double.compare(a.recordsPerSecond(), b.recordsPerSecond()));
                medians.add(all.get(all.size() / 2));
                spreads.add(new double[] {all.get(0).recordsPerSecond(), all.get(all.size() - 1).recordsPerSecond()});
            }
            SpillBench.Replay replay = SpillBench.replay(props(bootstrap), replayEvents);
            return new Results(medians, spreads, outage(kafka), replay, records, rounds);
        }
    }

    private static Map<String, Object> props(String bootstrap) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        return props;
    }

    private static Map<String, Object> intercepted(String bootstrap) {
        Map<String, Object> props = props(bootstrap);
        props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
        props.put("breakwater.breaker.name", "e2e-intercepted");
        props.put("breakwater.status.enabled", "false");
        return props;
    }

    private static Throughput viaProducer(String variant, Producer<String, byte[]> producer, String topic, int n)
            throws InterruptedException {
        byte[] value = new byte[VALUE_BYTES];
        return measure(variant, n, (i, done) -> producer.send(new ProducerRecord<>(topic, "k" + (i & 63), value),
                (metadata, error) -> done.accept(error)));
    }

    private static Throughput viaEventBus(EventBus bus, int n) throws InterruptedException {
        byte[] value = new byte[VALUE_BYTES];
        return measure(BUS, n,
                (i, done) -> bus.publishStream("e2e-eventbus", "k" + (i & 63), value, Map.of()).whenComplete((r, e) -> done.accept(e)));
    }

    /** Sends record {@code i}; {@code done} takes its error, or null. */
    private interface Send {
        void send(int i, java.util.function.Consumer<Throwable> done);
    }

    private static Throughput measure(String variant, int n, Send send) throws InterruptedException {
        long[] sentAt = new long[n];
        long[] latency = new long[n];
        CountDownLatch done = new CountDownLatch(n);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int index = i;
            sentAt[i] = System.nanoTime();
            send.send(i, error -> {
                latency[index] = System.nanoTime() - sentAt[index];
                if (error != null) {
                    errors.add(error);
                }
                done.countDown();
            });
        }
        if (!done.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException(variant + ": not every record was answered within 5 minutes");
        }
        if (!errors.isEmpty()) {
            // A failed record is no throughput: the run is void.
            throw new IllegalStateException(variant + ": " + errors.size() + " of " + n + " records failed", errors.peek());
        }
        long elapsed = System.nanoTime() - start;
        Arrays.sort(latency);
        return new Throughput(variant, n / (elapsed / 1e9), latency[n / 2] / 1e3, latency[(int) (n * 0.99)] / 1e3);
    }

    /** A frozen broker: how fast the wrapper opens, how fast it rejects, how fast it closes; a plain producer beside it. */
    private static Outage outage(EmbeddedKafkaCluster kafka) throws Exception {
        kafka.createTopic("e2e-outage", 3, 1, Map.of());
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("e2e-outage")
                .resetTimeout(java.time.Duration.ofSeconds(3)).build());
        Map<String, Object> plainProps = props(kafka.bootstrapServers());
        plainProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        ConcurrentLinkedQueue<Long> rejected = new ConcurrentLinkedQueue<>();
        AtomicBoolean sending = new AtomicBoolean(true);
        byte[] value = new byte[VALUE_BYTES];
        try (CircuitBreakerProducer<String, byte[]> wrapped =
                     CircuitBreakerProducer.wrap(new KafkaProducer<>(props(kafka.bootstrapServers())), breaker);
             Producer<String, byte[]> plain = new KafkaProducer<>(plainProps)) {
            wrapped.send(new ProducerRecord<>("e2e-outage", "k", value)).get(30, TimeUnit.SECONDS);
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread sender = new Thread(() -> {
                    while (sending.get()) {
                        long t0 = System.nanoTime();
                        java.util.concurrent.Future<?> f = wrapped.send(new ProducerRecord<>("e2e-outage", "k", value));
                        long took = System.nanoTime() - t0;
                        // A rejected send returns a CompletableFuture already failed; the producer's own futures are not.
                        if (f instanceof CompletableFuture<?> c && c.isCompletedExceptionally() && breaker.state() == CircuitBreakerState.OPEN) {
                            rejected.add(took);
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // about 1,000 sends/s in all
                    }
                }, "outage-sender-" + t);
                sender.setDaemon(true);
                sender.start();
                senders.add(sender);
            }
            kafka.blackHoleAll();
            long fault = System.nanoTime();
            CompletableFuture<String> plainSend = CompletableFuture.supplyAsync(() -> {
                long t0 = System.nanoTime();
                try {
                    plain.send(new ProducerRecord<>("never-seen-" + UUID.randomUUID(), "k", value)).get();
                    return "acknowledged after " + seconds(System.nanoTime() - t0);
                } catch (Exception e) {
                    return (e.getCause() != null ? e.getCause().getClass().getSimpleName() : e.getClass().getSimpleName())
                            + " after " + seconds(System.nanoTime() - t0);
                }
            });
            awaitState(breaker, CircuitBreakerState.OPEN, 30);
            double toOpen = (System.nanoTime() - fault) / 1e9;
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2)); // a while open, rejecting
            String plainOutcome = plainSend.get(60, TimeUnit.SECONDS);
            double plainBlocked = (System.nanoTime() - fault) / 1e9;
            kafka.passAll();
            long restored = System.nanoTime();
            awaitState(breaker, CircuitBreakerState.CLOSED, 60);
            double toClose = (System.nanoTime() - restored) / 1e9;
            sending.set(false);
            for (Thread t : senders) {
                t.join(10_000);
            }
            long[] r = rejected.stream().mapToLong(Long::longValue).sorted().toArray();
            return new Outage(toOpen, r.length == 0 ? -1 : r[r.length / 2] / 1e3, r.length == 0 ? -1 : r[(int) (r.length * 0.99)] / 1e3,
                    r.length, toClose, plainBlocked, plainOutcome);
        } finally {
            kafka.passAll();
        }
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    private static void awaitState(CircuitBreaker breaker, CircuitBreakerState state, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (breaker.state() != state) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(breaker.name() + " not " + state + " within " + seconds + " s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }
}
