package io.breakwater.bench;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.eventbus.EventBus;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.testkit.ForkedKafkaBroker;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Outages, per fault kind: for each of freeze, kill, black hole and cut, and for 1 and 4 caller threads per guard,
 * the wrapper, the interceptor and the EventBus (no spill) run side by side on producers of their own, through the
 * testkit's proxy in front of the forked broker, each caller sending one record a millisecond without waiting for
 * the answer. Per guard: the time from the fault to its first breaker OPEN, the time from the repair to every one of
 * its breakers CLOSED again, the seconds its callers spent inside {@code send()} / {@code publishStream()} from the
 * fault to the close, and the call time while the guard was OPEN (a refusal, for the wrapper and the EventBus; the
 * interceptor cannot refuse). Default settings, but a reset timeout of {@link #RESET} so that the close is quick.
 */
final class OutageMatrix {

    static final Duration RESET = Duration.ofSeconds(3);
    static final double OPEN_TARGET_SECONDS = 2.5;
    static final double REFUSAL_P99_TARGET_MICROS = 10;
    /** "About 0": the EventBus's callers inside publishStream for at most this share of their time from fault to close. */
    static final double BUS_BLOCKED_TARGET_SHARE = 0.01;
    private static final Duration OPEN_WHILE = Duration.ofSeconds(2);
    private static final long PACE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    enum Fault {
        FREEZE("freeze", "SIGSTOP, then SIGCONT"),
        KILL("kill", "SIGKILL, then a restart on the same ports and data"),
        BLACK_HOLE("black hole", "the proxy holds every byte both ways, then passes them again"),
        CUT("cut", "the proxy closes every connection and refuses new ones, then accepts them again");

        final String label;
        final String how;

        Fault(String label, String how) {
            this.label = label;
            this.how = how;
        }

        void inject(ForkedKafkaBroker b) {
            switch (this) {
                case FREEZE -> b.freeze();
                case KILL -> b.kill();
                case BLACK_HOLE -> b.proxy().blackHole();
                case CUT -> b.proxy().cut();
            }
        }

        void repair(ForkedKafkaBroker b) {
            switch (this) {
                case FREEZE -> b.resume();
                case KILL -> b.restart();
                case BLACK_HOLE, CUT -> b.proxy().pass();
            }
        }
    }

    enum Guard {
        WRAPPER("CircuitBreakerProducer"), NON_BLOCKING("CircuitBreakerProducer, non-blocking"), INTERCEPTOR("interceptor"),
        EVENTBUS("EventBus");

        final String label;

        Guard(String label) {
            this.label = label;
        }
    }

    /** One guard in one outage. NaN: did not happen within the bounds. */
    record Cell(Fault fault, int threads, Guard guard, double openSeconds, double closeSeconds, double blockedSeconds,
                double blockedShare, long callsWhileOpen, double openCallP50Micros, double openCallP99Micros, long refused) {
    }

    private OutageMatrix() {
    }

    static List<Cell> run(BenchBroker broker) throws Exception {
        List<Cell> cells = new ArrayList<>();
        int n = 0;
        String only = System.getProperty("bench.outage.faults", "");
        for (String name : only.isBlank() ? new String[0] : only.split(",")) {
            if (Arrays.stream(Fault.values()).noneMatch(f -> f.name().toLowerCase(Locale.ROOT).equals(name))) {
                throw new IllegalArgumentException("bench.outage.faults takes freeze, kill, black_hole and cut, but was given '"
                        + name + "'");
            }
        }
        for (Fault fault : Fault.values()) {
            if (!only.isBlank() && !Arrays.asList(only.split(",")).contains(fault.name().toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (int threads : new int[] {1, 4}) {
                cells.addAll(cell(broker.forked(), fault, threads, "outage-" + (n++)));
            }
        }
        return cells;
    }

    private static List<Cell> cell(ForkedKafkaBroker broker, Fault fault, int threads, String id) throws Exception {
        List<Lane> lanes = new ArrayList<>();
        boolean broken = false;
        try {
            for (Guard g : Guard.values()) {
                lanes.add(new Lane(g, threads, broker.bootstrapServers(), id + "-" + g.name().toLowerCase(Locale.ROOT)));
            }
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.directBootstrapServers()))) {
                admin.createTopics(lanes.stream().map(l -> new org.apache.kafka.clients.admin.NewTopic(l.kafkaTopic(), 1, (short) 1)).toList())
                        .all().get(60, TimeUnit.SECONDS);
            }
            lanes.forEach(Lane::start);
            if (!awaitAll(lanes, l -> l.acks() >= 200, 60)) {
                throw new IllegalStateException("not 200 acknowledgements each within 60 s: " + lanes);
            }
            long fault0 = System.nanoTime();
            lanes.forEach(l -> l.measureFrom(fault0));
            broken = true;
            fault.inject(broker);
            boolean opened = awaitAll(lanes, Lane::opened, 30);
            LockSupport.parkNanos(OPEN_WHILE.toNanos());
            fault.repair(broker);
            broken = false;
            long repaired = System.nanoTime();
            boolean closed = awaitAll(lanes, Lane::closed, 60);
            if (!opened || !closed) {
                System.err.println("Outage " + fault.label + ", " + threads + " thread(s): not every guard "
                        + (opened ? "CLOSED within 60 s of the repair" : "OPEN within 30 s of the fault") + ": " + lanes);
            }
            List<Cell> cells = new ArrayList<>();
            for (Lane l : lanes) {
                cells.add(l.cell(fault, fault0, repaired));
            }
            return cells;
        } finally {
            if (broken) {   // the cell failed between the fault and its repair: the parts after it need the broker
                try {
                    fault.repair(broker);
                } catch (RuntimeException e) {
                    System.err.println("Repairing " + fault.label + " failed: " + e);
                }
            }
            for (Lane l : lanes) {
                l.close();
            }
        }
    }

    /** Whether every lane is {@code done} within {@code seconds}. */
    private static boolean awaitAll(List<Lane> lanes, java.util.function.Predicate<Lane> done, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (;;) {
            boolean all = true;
            for (Lane lane : lanes) {
                all &= done.test(lane);   // every lane, every poll: opened() and closed() note the time they first hold
            }
            if (all) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** One guard on a producer of its own, its caller threads, and what they saw. */
    private static final class Lane implements AutoCloseable {
        final Guard guard;
        final String topic;
        final List<CircuitBreaker> breakers;
        final Producer<String, String> producer;   // null for the EventBus
        final EventBus bus;                        // null for the producers
        final List<Thread> callers = new ArrayList<>();
        final List<long[]> samples = new ArrayList<>();   // per thread: call nanos, and whether OPEN around it
        // Per thread, how many of its samples are written: read after the thread's last write (a lazySet after each).
        java.util.concurrent.atomic.AtomicIntegerArray written;
        final java.util.concurrent.atomic.LongAdder acks = new java.util.concurrent.atomic.LongAdder();
        volatile long from = Long.MAX_VALUE;
        volatile long openedAt;
        volatile long closedAt;
        volatile long stoppedAt;
        volatile boolean running = true;
        final int threads;
        // What the guard's breakers did, for the message when a cell does not end as it should.
        final java.util.Queue<String> heard = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final long created = System.nanoTime();

        Lane(Guard guard, int threads, String bootstrap, String id) {
            this.guard = guard;
            this.threads = threads;
            this.topic = id;
            Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, id);
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
            props.put("breakwater.breaker.name", id);
            props.put("breakwater.status.enabled", "false");
            props.put("breakwater.reset.timeout.ms", Long.toString(RESET.toMillis()));
            switch (guard) {
                case WRAPPER -> {
                    CircuitBreakerProducer<String, String> p = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props);
                    producer = p;
                    bus = null;
                    breakers = List.of(p.breaker());
                }
                case NON_BLOCKING -> {
                    props.put("breakwater.send.nonblocking", "true");
                    CircuitBreakerProducer<String, String> p = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props);
                    producer = p;
                    bus = null;
                    breakers = List.of(p.breaker());
                }
                case INTERCEPTOR -> {
                    props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
                    producer = new KafkaProducer<>(props);
                    bus = null;
                    breakers = List.of(CircuitBreakerRegistry.global().get(id).orElseThrow());
                }
                default -> {
                    producer = null;
                    bus = EventBus.builder(RedpandaTransport.builder(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                                    ProducerConfig.CLIENT_ID_CONFIG, id))
                                    .breakerConfig(CircuitBreakerConfig.from(BreakerPresets.kafkaTransport()).name(id + "-transport")
                                            .resetTimeout(RESET).build()).build())
                            .defaultChannelConfig(CircuitBreakerConfig.from(BreakerPresets.kafkaChannel("default")).resetTimeout(RESET).build())
                            .build();
                    breakers = List.of(bus.channelBreaker(id), bus.transportBreaker());
                }
            }
        }

        void start() {
            written = new java.util.concurrent.atomic.AtomicIntegerArray(threads);
            for (CircuitBreaker b : breakers) {
                b.onTransition(t -> heard.add(String.format(Locale.ROOT, "%.2fs %s %s->%s: %s", (System.nanoTime() - created) / 1e9,
                        b.name(), t.from(), t.to(), t.reason())));
            }
            for (int t = 0; t < threads; t++) {
                long[] own = new long[1 << 17];
                samples.add(own);
                String key = "k" + t;
                int slot = t;
                Thread caller = new Thread(() -> loop(key, own, slot), topic + "-caller-" + t);
                caller.setDaemon(true);
                callers.add(caller);
                caller.start();
            }
        }

        /** Each sample: the call's nanos, shifted left one bit, with bit 0 set when the guard was OPEN before and after it. */
        private void loop(String key, long[] own, int slot) {
            int n = 0;
            long next = System.nanoTime();
            while (running) {
                boolean openBefore = anyOpen();
                java.util.concurrent.CompletableFuture<?> published = null;
                long t0 = System.nanoTime();
                try {
                    if (bus != null) {
                        published = bus.publishStream(topic, key, "v", Map.of());
                    } else {
                        producer.send(new ProducerRecord<>(topic, key, "v"), (m, e) -> answered(e));
                    }
                } catch (RuntimeException e) {
                    // a refusal or a closed producer: counted as a call like any other
                }
                long took = System.nanoTime() - t0;
                if (published != null) {   // the time inside publishStream(), as for send() (its callback is an argument)
                    published.whenComplete((r, e) -> answered(e));
                }
                if (t0 >= from && closedAt == 0 && n < own.length) {
                    own[n++] = took << 1 | (openBefore && anyOpen() ? 1 : 0);
                    written.lazySet(slot, n);
                }
                next += PACE_NANOS;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    LockSupport.parkNanos(sleep);
                } else {
                    next = System.nanoTime();
                }
            }
        }

        private void answered(Throwable error) {
            if (error == null) {
                acks.increment();
            }
        }

        private boolean anyOpen() {
            for (CircuitBreaker b : breakers) {
                if (b.state().rejectsCalls()) {
                    return true;
                }
            }
            return false;
        }

        long acks() {
            return acks.sum();
        }

        String kafkaTopic() {
            return bus != null ? bus.topicFor(topic) : topic;
        }

        void measureFrom(long nanos) {
            from = nanos;
        }

        boolean opened() {
            if (openedAt == 0 && anyOpen()) {
                openedAt = System.nanoTime();
            }
            return openedAt != 0;
        }

        boolean closed() {
            if (closedAt == 0 && openedAt != 0 && breakers.stream().allMatch(b -> b.state() == io.breakwater.breaker.CircuitBreakerState.CLOSED)) {
                closedAt = System.nanoTime();
            }
            return closedAt != 0;
        }

        Cell cell(Fault fault, long fault0, long repaired) {
            stoppedAt = System.nanoTime();
            running = false;
            for (Thread t : callers) {
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            long blocked = 0;
            List<Long> whileOpen = new ArrayList<>();
            for (int t = 0; t < samples.size(); t++) {
                long[] own = samples.get(t);
                for (int i = 0, n = written.get(t); i < n; i++) {
                    long s = own[i];
                    blocked += s >>> 1;
                    if ((s & 1) == 1) {
                        whileOpen.add(s >>> 1);
                    }
                }
            }
            long[] open = whileOpen.stream().mapToLong(Long::longValue).sorted().toArray();
            double p50 = open.length == 0 ? Double.NaN : open[open.length / 2] / 1e3;
            double p99 = open.length == 0 ? Double.NaN : open[Math.min(open.length - 1, (int) (open.length * 0.99))] / 1e3;
            long refused = breakers.stream().mapToLong(b -> b.snapshot().rejectedCalls()).sum();
            long end = closedAt != 0 ? closedAt : stoppedAt;
            double callerSeconds = threads * (end - fault0) / 1e9;
            return new Cell(fault, threads, guard, openedAt == 0 ? Double.NaN : (openedAt - fault0) / 1e9,
                    closedAt == 0 ? Double.NaN : (closedAt - repaired) / 1e9, blocked / 1e9, blocked / 1e9 / callerSeconds, open.length,
                    p50, p99, refused);
        }

        @Override
        public void close() {
            running = false;
            if (bus != null) {
                bus.close(Duration.ofSeconds(5));
            } else {
                producer.close(Duration.ofSeconds(5));
            }
        }

        @Override
        public String toString() {
            return guard.label + " x" + threads + " " + breakers.stream().map(b -> b.name() + "=" + b.state()).toList()
                    + (heard.isEmpty() ? "" : " heard " + heard);
        }
    }

    static void report(StringBuilder md, List<Cell> cells, Targets targets) {
        md.append("## Outages, per fault kind\n\n");
        if (cells.isEmpty()) {
            md.append("No fault kind was run (bench.outage.faults named none of freeze, kill, black_hole, cut).\n\n");
            return;
        }
        md.append("The broker of the end-to-end parts, reached through the testkit's proxy. For each fault, and for 1 and 4 caller ")
                .append("threads per guard, the three guards run side by side on producers of their own, each caller sending one ")
                .append("small record a millisecond without waiting for its answer; default settings but a reset timeout of ")
                .append(RESET.toSeconds()).append(" s. Open: fault to the guard's first breaker OPEN (the EventBus has two, its ")
                .append("stream's and its transport's). Close: repair to every breaker of the guard CLOSED (after a kill, from the ")
                .append("restarted broker's ports answering). Blocked: seconds all of the guard's callers spent inside `send()` or ")
                .append("`publishStream()` from the fault to the close, and that as a share of their time then. A call while OPEN: the guard OPEN before and after the call ")
                .append("(the wrapper and the EventBus refuse it; the interceptor cannot refuse, so its callers' records go to ")
                .append("Kafka's buffer). Faults: ");
        md.append(String.join("; ", Arrays.stream(Fault.values()).map(f -> f.label + ": " + f.how).toList())).append(".\n\n");
        md.append("| fault | threads | guard | open | close | blocked | share | calls while OPEN | their p50 | their p99 | refused |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Cell c : cells) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.2f s | %.2f s | %.3f s | %.2f %% | %d | %.1f µs | %.1f µs | %d |%n",
                    c.fault().label, c.threads(), c.guard().label, c.openSeconds(), c.closeSeconds(), c.blockedSeconds(),
                    100 * c.blockedShare(), c.callsWhileOpen(), c.openCallP50Micros(), c.openCallP99Micros(), c.refused()));
        }
        md.append('\n');
        long neverOpened = cells.stream().filter(c -> Double.isNaN(c.openSeconds())).count();
        double worstOpen = cells.stream().mapToDouble(Cell::openSeconds).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
        if (neverOpened > 0) {
            targets.add("Outages: every guard OPEN within 2.5 s of every fault", neverOpened + " cell(s) not OPEN within 30 s", false,
                    "in " + neverOpened + " cell(s)");
        } else {
            targets.atMost("Outages: every guard OPEN within 2.5 s of every fault (slowest cell)", worstOpen, OPEN_TARGET_SECONDS, "s",
                    String.format(Locale.ROOT, "%.2f s", worstOpen));
        }
        Cell busBlocked = cells.stream().filter(c -> c.guard() == Guard.EVENTBUS)
                .max(java.util.Comparator.comparingDouble(Cell::blockedShare)).orElseThrow();
        targets.atMost("Outages: EventBus callers blocked about 0 (inside publishStream ≤ 1 % of their time, fault to close; worst cell)",
                100 * busBlocked.blockedShare(), 100 * BUS_BLOCKED_TARGET_SHARE, "%", String.format(Locale.ROOT, "%.2f %% (%.3f s, %s, %d thread(s))",
                        100 * busBlocked.blockedShare(), busBlocked.blockedSeconds(), busBlocked.fault().label, busBlocked.threads()));
        for (Guard g : List.of(Guard.WRAPPER, Guard.NON_BLOCKING, Guard.EVENTBUS)) {
            List<Cell> own = cells.stream().filter(c -> c.guard() == g && c.callsWhileOpen() > 0).toList();
            String target = "Outages: " + g.label + ": a refusal's p99 ≤ 10 µs (worst cell)";
            if (own.isEmpty()) {
                targets.add(target, "no call made while OPEN: its callers were inside Kafka's send() throughout", false,
                        "not measurable: blocking send");
                continue;
            }
            Cell worst = own.stream().max(java.util.Comparator.comparingDouble(Cell::openCallP99Micros)).orElseThrow();
            targets.atMost(target, worst.openCallP99Micros(), REFUSAL_P99_TARGET_MICROS, "µs", String.format(Locale.ROOT,
                    "%.1f µs (p50 %.1f µs; %s, %d thread(s))", worst.openCallP99Micros(), worst.openCallP50Micros(), worst.fault().label,
                    worst.threads()));
        }
    }
}
