package io.breakwater.bench;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.eventbus.EventBus;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** One guard on a producer of its own, its caller threads, and what they saw. */
final class OutageLane implements AutoCloseable {
    final OutageMatrix.Guard guard;
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
    // Prints each call of a judged cell that took over 100 us (-Dbench.outage.trace=true).
    private static final boolean TRACE = Boolean.getBoolean("bench.outage.trace");
    volatile long openedAt;
    volatile long closedAt;
    volatile long stoppedAt;
    volatile boolean running = true;
    final int threads;
    // What the guard's breakers did, for the message when a cell does not end as it should.
    final java.util.Queue<String> heard = new java.util.concurrent.ConcurrentLinkedQueue<>();
    final long created = System.nanoTime();

    OutageLane(OutageMatrix.Guard guard, int threads, String bootstrap, String id) {
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
        props.put("breakwater.reset.timeout.ms", Long.toString(OutageMatrix.RESET.toMillis()));
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
                                        .resetTimeout(OutageMatrix.RESET).build()).build())
                        .defaultChannelConfig(CircuitBreakerConfig.from(BreakerPresets.kafkaChannel("default")).resetTimeout(OutageMatrix.RESET).build())
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

    /**
     * Starts the callers of {@code lanes}, once each lane's producer had one record acknowledged alone: the broker then
     * knows the producer (its id and sequence) before several of its requests are in flight. Without it, a first request
     * refused while the broker applies the new topic's metadata (NOT_LEADER_OR_FOLLOWER), with the request behind it
     * accepted, leaves Kafka's idempotent producer retrying the first with OUT_OF_ORDER_SEQUENCE_NUMBER until its
     * delivery timeout (KAFKA-15591), with the guard's trials behind it: its breaker rightly never closes, and the cell
     * measures that defect, not the fault. A first record not acknowledged within a minute: {@link OutageMatrix.NotReady}.
     */
    static void startAll(List<OutageLane> lanes) throws Exception {
        for (OutageLane lane : lanes) {
            try {
                (lane.bus != null ? lane.bus.publishStream(lane.topic, "first", "v", Map.of())
                        : lane.producer.send(new ProducerRecord<>(lane.topic, "first", "v"))).get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new OutageMatrix.NotReady("the first record of " + lane + " was not acknowledged within 60 s: " + e);
            }
        }
        lanes.forEach(OutageLane::start);
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
                if (TRACE && took > 100_000) {
                    System.err.printf(Locale.ROOT, "slow call %s at %s: %.1f ms after the fault, %d us, open before %s, now %s%n",
                            Thread.currentThread().getName(), java.time.LocalTime.now(), (t0 - from) / 1e6, took / 1000,
                            openBefore, this);
                }
            }
            next = paced(next);
        }
    }

    /** Waits for the next call's turn, a pace after {@code next}; that turn, or now if it has passed. */
    static long paced(long next) {
        long turn = next + OutageMatrix.PACE_NANOS;
        long sleep = turn - System.nanoTime();
        if (sleep > 0) {
            LockSupport.parkNanos(sleep);
            return turn;
        }
        return System.nanoTime();
    }

    /** Waits up to 10 s for each of {@code threads} to end. */
    static void joinAll(List<Thread> threads) {
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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

    OutageMatrix.Cell cell(OutageMatrix.Fault fault, long fault0, long repaired) {
        stoppedAt = System.nanoTime();
        running = false;
        joinAll(callers);
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
        return new OutageMatrix.Cell(fault, threads, guard, openedAt == 0 ? Double.NaN : (openedAt - fault0) / 1e9,
                closedAt == 0 ? Double.NaN : (closedAt - repaired) / 1e9, blocked / 1e9, blocked / 1e9 / callerSeconds, open.length,
                p50, p99, refused, Double.NaN, Double.NaN);
    }

    @Override
    public void close() {
        running = false;
        if (Boolean.getBoolean("bench.outage.heard")) {
            System.err.println("LANE " + this);
        }
        if (bus != null) {
            bus.close(Duration.ofSeconds(5));
        } else {
            producer.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public String toString() {
        return guard.label + " x" + threads + " " + breakers.stream().map(b -> b.name() + "=" + b.state()).toList()
                + (heard.isEmpty() ? "" : " heard " + heard) + producerState();
    }

    /** For a lane that does not end as it should: what its Kafka producer says of its connection and its records. */
    private String producerState() {
        if (producer == null) {
            return "";
        }
        java.util.TreeMap<String, Object> picked = new java.util.TreeMap<>();
        java.util.Set<String> names = java.util.Set.of("requests-in-flight", "connection-count", "record-retry-total",
                "record-error-total", "record-send-total", "request-latency-max", "connection-close-total",
                "connection-creation-total", "buffer-available-bytes", "waiting-threads", "produce-throttle-time-max");
        producer.metrics().forEach((name, metric) -> {
            if (name.group().equals("producer-metrics") && names.contains(name.name())) {
                picked.put(name.name(), metric.metricValue());
            }
        });
        return " producer " + picked;
    }
}
