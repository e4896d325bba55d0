package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.StateTransition;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.testkit.ForkedKafkaBroker;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No false opens: a backlog is not an outage. The broker gives each guard's producer {@value #BYTES_PER_SECOND} bytes a
 * second (a Kafka quota on its {@code client.id}), and one caller sends 1 KB records through it as fast as the guard
 * takes them for {@value #SENDING_SECONDS} s, into a buffer of {@value #BUFFER_BYTES} bytes: records wait seconds for
 * their acknowledgement (asserted: the slowest at least one and a half times the 2 s in-flight threshold), while the
 * cluster acknowledges all along. Every guard runs with its default settings; no breaker may leave CLOSED, and every
 * record is acknowledged. (Timing each record from its send alone, all three opened, on "5 consecutive
 * failure(s)", each "no acknowledgement for 20xx ms"; the wrapper then refused about 4 million sends and the EventBus
 * about 200,000 publishes while the cluster went on acknowledging the backlog.)
 */
@RealBroker
@Timed
class BacklogIT {

    static final int BYTES_PER_SECOND = 1_000_000;
    static final int SENDING_SECONDS = 6;
    static final int BUFFER_BYTES = 4 * 1024 * 1024;
    static final Duration IN_FLIGHT_THRESHOLD = Duration.ofSeconds(2);
    /** Each topic's partitions: their acknowledgements come in another order than their records were sent. */
    static final int PARTITIONS = 4;
    /** Every record's value: 1 KB. */
    static final String VALUE = "x".repeat(1_000);

    /** One guard under the quota: how it sends, and what it counted. */
    private static final class Guarded {
        final String label;
        final List<BreakerWatch> watches = new CopyOnWriteArrayList<>();   // added by its caller, read by the test
        final AtomicLong sent = new AtomicLong();
        final AtomicLong keys = new AtomicLong();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong slowestAckNanos = new AtomicLong();
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        volatile long drainedAfterMillis;

        Guarded(String label) {
            this.label = label;
        }

        void watch(String which, CircuitBreaker breaker) {
            watches.add(new BreakerWatch(label + " " + which, breaker));
        }

        /** The key of the next record: one of 16, in turn. */
        String key() {
            return "k" + (keys.getAndIncrement() & 15);
        }

        /** A callback for a record sent now. */
        Consumer<Throwable> answer() {
            long sentAt = System.nanoTime();
            sent.incrementAndGet();
            return error -> {
                if (error != null) {
                    failures.add(error);
                    return;
                }
                acknowledged.incrementAndGet();
                slowestAckNanos.accumulateAndGet(System.nanoTime() - sentAt, Math::max);
            };
        }

        List<StateTransition> transitions() {
            return watches.stream().flatMap(w -> w.heard().stream()).map(BreakerWatch.Heard::transition).toList();
        }

        @Override
        public String toString() {
            return String.format("%-12s %6d sent, %6d acknowledged, slowest ack %5d ms, all answered %5d ms after the"
                    + " last send, %d failed", label, sent.get(), acknowledged.get(), slowestAckNanos.get() / 1_000_000,
                    drainedAfterMillis, failures.size());
        }
    }

    /** A topic of its own for {@code clientId}, whose produce rate the broker holds to {@link #BYTES_PER_SECOND}. */
    private static String throttled(String bootstrap, Admin admin, String clientId) throws Exception {
        Records.createTopics(bootstrap, List.of(clientId), PARTITIONS);
        ClientQuotaEntity client = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, clientId));
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(client,
                List.of(new ClientQuotaAlteration.Op("producer_byte_rate", (double) BYTES_PER_SECOND))))).all()
                .get(30, TimeUnit.SECONDS);
        return clientId;
    }

    private static Map<String, Object> config(String bootstrap, String clientId) {
        Map<String, Object> config = new HashMap<>(Records.producerConfig(bootstrap));
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, BUFFER_BYTES);
        config.put("breakwater.breaker.name", clientId);
        config.put("breakwater.status.enabled", "false");
        return config;
    }

    /**
     * Sends through {@code send} while {@code sending} holds; with {@code drain}, then waits until every record is
     * answered.
     */
    private static void load(Guarded guarded, BooleanSupplier sending, boolean drain, Consumer<Consumer<Throwable>> send) {
        while (sending.getAsBoolean()) {
            send.accept(guarded.answer());
        }
        if (drain) {
            long lastSend = System.nanoTime();
            await(guarded.label + ": every record answered").atMost(Duration.ofSeconds(90))
                    .until(() -> guarded.acknowledged.get() + guarded.failures.size() == guarded.sent.get());
            guarded.drainedAfterMillis = (System.nanoTime() - lastSend) / 1_000_000;
        }
    }

    /** {@code g}'s load through {@code producer}, whose breaker it watches; the producer closed after it. */
    private static Void viaProducer(Guarded g, Producer<String, String> producer, Supplier<CircuitBreaker> breaker,
                                    String topic, BooleanSupplier sending, boolean drain, Duration closeWithin) {
        try {
            g.watch("breaker", breaker.get());
            load(g, sending, drain, done -> producer.send(new ProducerRecord<>(topic, g.key(), VALUE), (m, e) -> done.accept(e)));
        } finally {
            producer.close(closeWithin);
        }
        return null;
    }

    /**
     * The wrapper, the interceptor and the EventBus on the broker at {@code bootstrap}, each on a throttled topic of its
     * own and driven by one of {@code callers} while {@code sending} holds; their loads, once each is done.
     */
    private static List<Future<?>> drive(String bootstrap, Admin admin, String run, List<Guarded> guards,
                                         ExecutorService callers, BooleanSupplier sending, boolean drain) throws Exception {
        String wrapperTopic = throttled(bootstrap, admin, run + "-wrapper");
        String interceptorTopic = throttled(bootstrap, admin, run + "-interceptor");
        String busTopic = throttled(bootstrap, admin, run + "-bus");
        Duration closeWithin = drain ? Duration.ofSeconds(30) : Duration.ofSeconds(2);
        List<Future<?>> loads = new ArrayList<>();
        loads.add(callers.submit(() -> {
            Map<String, Object> config = config(bootstrap, wrapperTopic);
            CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.wrap(new KafkaProducer<>(config), config);
            return viaProducer(guards.get(0), producer, producer::breaker, wrapperTopic, sending, drain, closeWithin);
        }));
        loads.add(callers.submit(() -> {
            Map<String, Object> config = config(bootstrap, interceptorTopic);
            config.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
            return viaProducer(guards.get(1), new KafkaProducer<>(config),
                    () -> CircuitBreakerRegistry.global().get(interceptorTopic).orElseThrow(), interceptorTopic, sending,
                    drain, closeWithin);
        }));
        loads.add(callers.submit(() -> {
            // The bus's publish never blocks: at most 8,000 events (8 MB) outstanding, so that they wait in Kafka's
            // buffer and the transport's queue rather than being refused by a full queue; refused ones are paced.
            Semaphore outstanding = new Semaphore(8_000);
            Map<String, Object> config = config(bootstrap, busTopic);
            config.remove("breakwater.status.enabled");   // the bus publishes status only when given a publisher
            config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);   // the transport's own: its codec makes bytes
            EventBus eventBus = EventBus.builder(RedpandaTransport.builder(config).build()).build();
            try {
                assertThat(eventBus.topicFor(busTopic)).isEqualTo(busTopic);
                eventBus.publishStream(busTopic, "first").get(30, TimeUnit.SECONDS);
                Guarded g = guards.get(2);
                g.watch("transport", eventBus.transportBreaker());
                g.watch("stream", eventBus.channelBreaker(busTopic));
                load(g, sending, drain, done -> {
                    outstanding.acquireUninterruptibly();
                    CompletableFuture<PublishResult> published = eventBus.publishStream(busTopic, g.key(), VALUE, Map.of());
                    published.whenComplete((r, e) -> {
                        outstanding.release();
                        done.accept(e);
                    });
                    if (published.isCompletedExceptionally()) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));   // refused at once: one a millisecond
                    }
                });
            } finally {
                eventBus.close(closeWithin);
            }
            return null;
        }));
        return loads;
    }

    @Test
    @Timeout(240)
    void aClusterThatAcknowledgesSlowerThanRecordsComeOpensNoBreakerAndLosesNoRecord(TestBroker broker) throws Exception {
        String run = "backlog-" + UUID.randomUUID().toString().substring(0, 6);
        List<Guarded> all = List.of(new Guarded("wrapper"), new Guarded("interceptor"), new Guarded("EventBus"));
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(SENDING_SECONDS);
            for (Future<?> load : drive(broker.bootstrapServers(), broker.admin(), run, all, callers,
                    () -> System.nanoTime() - until < 0, true)) {
                load.get(200, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }

        System.out.println("Each producer held to " + BYTES_PER_SECOND + " B/s, " + SENDING_SECONDS + " s of sending:");
        all.forEach(g -> System.out.println("  " + g));
        assertThat(all).allSatisfy(g -> {
            assertThat(g.transitions()).as("%s: transitions of its breakers", g.label).isEmpty();
            assertThat(g.failures).as("%s: failed records", g.label).isEmpty();
            assertThat(g.acknowledged.get()).as("%s: acknowledged (the load was real)", g.label).isGreaterThanOrEqualTo(4_000);
            assertThat(Duration.ofNanos(g.slowestAckNanos.get())).as("%s: the slowest acknowledgement", g.label)
                    .isGreaterThanOrEqualTo(IN_FLIGHT_THRESHOLD.multipliedBy(3).dividedBy(2));
        });
    }

    /**
     * A line that stops is an outage, however deep the backlog: with each guard's producer working through a backlog
     * as above, the broker (a JVM of its own) is frozen; every breaker must be OPEN within 2.5 s of the freeze, as
     * without a backlog ({@link OutageMatrixIT}).
     */
    @Test
    @Timeout(240)
    void aBacklogBehindABrokerThatFreezesOpensEveryBreakerWithinTwoAndAHalfSeconds() throws Exception {
        String run = "backlog-freeze-" + UUID.randomUUID().toString().substring(0, 6);
        List<Guarded> all = List.of(new Guarded("wrapper"), new Guarded("interceptor"), new Guarded("EventBus"));
        ExecutorService callers = Executors.newFixedThreadPool(3);
        AtomicBoolean sending = new AtomicBoolean(true);
        Map<String, Long> toOpen = new LinkedHashMap<>();
        try (ForkedKafkaBroker broker = ForkedKafkaBroker.start()) {
            List<Future<?>> loads = drive(broker.bootstrapServers(), broker.admin(), run, all, callers, sending::get, false);
            await("every guard watched").atMost(Duration.ofSeconds(60))
                    .until(() -> all.stream().mapToInt(g -> g.watches.size()).sum() == 4);
            await("3 s of a backlog, no breaker moving").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> all.stream().allMatch(g -> g.transitions().isEmpty()));
            assertThat(all).allSatisfy(g -> assertThat(g.sent.get() - g.acknowledged.get())
                    .as("%s: records waiting at the freeze (a backlog of at least 2 s at the quota)", g.label)
                    .isGreaterThanOrEqualTo(2_000));
            broker.freeze();
            long frozenAt = System.nanoTime();
            try {
                await("every breaker OPEN").atMost(Duration.ofSeconds(15)).until(() -> all.stream()
                        .flatMap(g -> g.watches.stream()).allMatch(w -> w.hasOpened(frozenAt)));
                all.forEach(g -> g.watches.forEach(w -> toOpen.put(w.label(),
                        w.millisToOpen(frozenAt, Long.MAX_VALUE).orElseThrow())));
            } finally {
                broker.resume();
                sending.set(false);
            }
            for (Future<?> load : loads) {
                load.get(120, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        System.out.println("From the freeze to OPEN, behind a backlog: " + toOpen);
        assertThat(toOpen).hasSize(4).allSatisfy((breaker, millis) ->
                assertThat(millis).as(breaker + ": ms from the freeze to OPEN").isLessThanOrEqualTo(2_500));
    }
}
