package io.breakwater.cli.internal;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.StateTransition;
import io.breakwater.eventbus.EventBus;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.status.ControlFollower;
import io.breakwater.status.ControlTopic;
import io.breakwater.status.StatusPublisher;
import io.breakwater.testkit.ForkedKafkaBroker;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The demo: a steady stream through an EventBus and through a KafkaProducer with the interceptor, next
 * to a plain KafkaProducer for comparison, while the broker is frozen, restored, killed and restarted.
 */
public final class Demo {

    /** The demo's options, checked by the command. */
    public record Options(Duration duration, int rate, int threads, String bootstrap, boolean color, boolean redraw,
                          Integer metricsPort, Duration resetTimeout) {
    }

    record Event(long sequence, String symbol, double price) {
    }

    static final String TRANSPORT = BreakerPresets.KAFKA_TRANSPORT_NAME;
    static final String CHANNEL = BreakerPresets.KAFKA_CHANNEL_PREFIX + "orders";
    static final String INTERCEPTED = "fills-producer";

    private final Options options;
    private final PrintWriter out;
    // The demo's clock starts once every path has had its first acknowledgement (see warmUp).
    private volatile long start = System.nanoTime();
    private final String instance = "demo-" + ProcessHandle.current().pid();
    final PathStats bus = new PathStats("EventBus");
    final PathStats intercepted = new PathStats("KafkaProducer + interceptor");
    final PathStats plain = new PathStats("plain KafkaProducer");
    // The least a call that never blocks can take here, at the same pace: the floor under the paths' call times.
    final PathStats floor = new PathStats("hand-off floor");
    final List<Fault> faults = new CopyOnWriteArrayList<>();
    final List<Seen> transitions = new CopyOnWriteArrayList<>();
    // Faults and transitions are stamped and added under this lock: a copy of both lists taken under it holds all that
    // happened before it and nothing after, so what the live view prints next is never older than what it printed.
    final Object timeline = new Object();
    private volatile boolean running = true;
    // Ctrl-C: the run ends early, closes what it opened and still prints its summary.
    final StopSignal stop = new StopSignal();
    // Serving from the start of run() until the bus closes; the demo's thread only.
    private DemoMetrics metrics;

    /** A fault or a recovery, at demo time {@code atNanos}. */
    record Fault(String what, long atNanos, boolean recovery) {
    }

    /** A transition as the demo saw it. */
    record Seen(StateTransition transition, long atNanos) {
    }

    public Demo(Options options, PrintWriter out) {
        this.options = options;
        this.out = out;
    }

    /** Records a fault or a recovery, now. */
    void fault(String what, boolean recovery) {
        synchronized (timeline) {
            faults.add(new Fault(what, now(), recovery));
        }
    }

    long now() {
        return System.nanoTime() - start;
    }

    Options options() {
        return options;
    }

    boolean stopRequested() {
        return stop.requested();
    }

    /** Runs the demo; returns the exit code. */
    public int run() throws Exception {
        stop.armed(Duration.ofSeconds(40));
        try {
            return runWithBroker();
        } finally {
            stop.finished();
        }
    }

    private int runWithBroker() throws Exception {
        // Bound first: a port taken since the command's check fails here, before a broker starts or a producer connects.
        metrics = DemoMetrics.start(options.metricsPort());
        ForkedKafkaBroker broker = null;
        try {
            String servers = options.bootstrap();
            if (servers == null) {
                out.println("Starting a Kafka broker (KRaft, in its own JVM) ...");
                out.flush();
                broker = ForkedKafkaBroker.start();
                servers = broker.bootstrapServers();
            }
            Reachability.check(servers, Duration.ofSeconds(8));
            if (metrics.port() >= 0) {   // said once the cluster answers: not just before "Cannot reach"
                out.println("Serving /metrics and /health on port " + metrics.port());
            }
            return runOn(servers, broker);
        } finally {
            if (broker != null) {
                broker.close();
            }
            metrics.close();
        }
    }

    private int runOn(String servers, ForkedKafkaBroker broker) throws Exception {
        Map<String, Object> client = Map.of("bootstrap.servers", servers);
        CircuitBreakerConfig channel = CircuitBreakerConfig.from(BreakerPresets.kafkaChannel("orders"))
                .resetTimeout(options.resetTimeout()).windowSize(20).failureRateThreshold(0.5).build();
        CircuitBreakerConfig transportConfig = CircuitBreakerConfig.from(BreakerPresets.kafkaTransport())
                .resetTimeout(options.resetTimeout()).windowSize(20).failureRateThreshold(0.5).build();
        Map<String, Object> transportProps = new HashMap<>(client);
        transportProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        transportProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        transportProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);

        StatusPublisher status = StatusPublisher.create(client, "breakwater-status", instance);
        BusPath busPath = new BusPath(bus, this::now, stop,
                RedpandaTransport.builder(transportProps).breakerConfig(transportConfig).build(), channel, status);
        EventBus eventBus = busPath.bus;
        out.println("The EventBus spills to " + busPath.store() + " (a temporary directory, deleted at the end).");
        Producer<String, String> withInterceptor = new KafkaProducer<>(DemoProducers.intercepted(servers, instance, options));
        Producer<String, String> plainProducer = new KafkaProducer<>(DemoProducers.plain(servers));
        CircuitBreaker interceptorBreaker = CircuitBreakerRegistry.global().get(INTERCEPTED).orElseThrow();
        List<CircuitBreaker> breakers = List.of(eventBus.transportBreaker(), eventBus.channelBreaker(BusPath.STREAM),
                interceptorBreaker);
        try {
            DemoProducers.warmUp(servers, eventBus, withInterceptor, plainProducer);
        } catch (Exception e) {   // a cluster of the user's that refuses the topics, or answers no send in time
            withInterceptor.close(Duration.ZERO);
            plainProducer.close(Duration.ZERO);
            busPath.close();
            status.close(Duration.ofSeconds(5));   // so that the instance shows as stopped, not stale
            throw new Reachability.UnreachableException("The demo could not start on " + servers + ": "
                    + (e instanceof java.util.concurrent.TimeoutException ? "a topic or a first send was not answered within "
                    + "30 s" : io.breakwater.breaker.Throwables.describe(e)) + ". It needs to create (or find) the topics breakwater-demo-* with "
                    + "3 partitions, and to write to them.", e);
        }
        HandOffFloor handOff = new HandOffFloor(floor);   // warmed up too, before the run starts
        busPath.startCounting();
        start = System.nanoTime();   // before any transition can be stamped
        for (CircuitBreaker b : breakers) {
            b.onTransition(t -> {
                synchronized (timeline) {
                    transitions.add(new Seen(t, now()));
                }
            });
        }
        // On a cluster of the user's, the breakers follow `breakwater force-open|disable|reset` (none in the fault run).
        ControlFollower control = broker == null ? ControlFollower.create(client, ControlTopic.DEFAULT_TOPIC, instance) : null;
        if (control != null) {
            breakers.forEach(control::attach);
            out.println("Instance " + instance + " follows commands on " + ControlTopic.DEFAULT_TOPIC + ".");
        }
        metrics.serve(eventBus, breakers);
        LiveView view = new LiveView(this, breakers, busPath::spillOfRun, out, options);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < options.threads(); i++) {
            threads.add(pace("eventbus-" + i, busPath::publish));
            threads.add(pace("interceptor-" + i, () -> send(withInterceptor, DemoProducers.FILLS_TOPIC, intercepted)));
            threads.add(pace("plain-" + i, () -> send(plainProducer, DemoProducers.PLAIN_TOPIC, plain)));
            threads.add(pace("floor-" + i, handOff::call));
        }
        Thread viewer = daemon("live-view", view::loop);
        try {
            if (broker != null) {
                new FaultSchedule(this, broker, breakers).run();   // on Ctrl-C the broker is stopped by its own hook
            } else {
                stop.sleep(options.duration());
            }
        } catch (RuntimeException e) {
            if (!stopRequested()) {
                throw e;
            }   // a fault step met the broker its hook had stopped: the run ends, as it was asked to
        } finally {
            stop.runEnded(now());
            running = false;
            if (control != null) {
                control.close();
            }
            for (Thread t : threads) {
                t.join(15_000);
            }
            handOff.close();
            view.stop();
            viewer.join(2_000);
            awaitAnswers(busPath, Duration.ofSeconds(45));
            busPath.close();
            metrics.close();   // the bus is gone: nothing left to report on
            withInterceptor.close(Duration.ofSeconds(5));
            plainProducer.close(Duration.ofSeconds(5));
            status.close(Duration.ofSeconds(5));
        }
        Set<String> ids = busPath.ids();
        if (ids != null && !stopRequested()) {
            bus.missingOnTopic = TopicCheck.missing(servers, eventBus.topicFor(BusPath.STREAM), ids, Duration.ofSeconds(60),
                    this::stopRequested, System.currentTimeMillis() - now() / 1_000_000);
        }
        Summary summary = new Summary(this, options, broker != null);
        summary.print(out);
        out.flush();
        return 0;
    }

    private void send(Producer<String, String> producer, String topic, PathStats stats) {
        long sequence = stats.published.incrementAndGet();
        Callback callback = (metadata, error) -> {
            if (error == null) {
                stats.acked.incrementAndGet();
            } else {
                stats.failedAt(now());
            }
        };
        long t0 = System.nanoTime();
        try {
            producer.send(new ProducerRecord<>(topic, "k" + sequence % 16, "event-" + sequence), callback);
        } catch (RuntimeException e) {
            stats.failedAt(now());
        } finally {
            stats.blocked(System.nanoTime() - t0);
        }
    }

    /** One publisher thread: its share of the rate, like one of a service's request threads. */
    private Thread pace(String name, Runnable send) {
        long period = 1_000_000_000L * options.threads() / options.rate();
        return daemon("demo-" + name, () -> {
            long next = System.nanoTime();
            while (running) {
                send.run();
                next += period;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    LockSupport.parkNanos(sleep);
                } else {
                    next = System.nanoTime();
                }
            }
        });
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits for every publish to be answered and the spill to be replayed, up to {@code timeout} (10 s after Ctrl-C). */
    private void awaitAnswers(BusPath busPath, Duration timeout) {
        long begin = System.nanoTime();
        long deadline = begin + timeout.toNanos();
        while (System.nanoTime() < (stopRequested() ? Math.min(deadline, begin + 10_000_000_000L) : deadline)
                && (!busPath.settled() || intercepted.lost() > 0 || plain.lost() > 0)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    String elapsed(long demoNanos) {
        return String.format(java.util.Locale.ROOT, "%5.1fs", demoNanos / 1e9);
    }
}
