package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.StateTransition;
import io.breakwater.eventbus.EventBus;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
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
 * takes them for {@value #SENDING_SECONDS} s, into a buffer of {@value #BUFFER_BYTES} bytes: records wait about 6 s
 * for their acknowledgement, three times the 2 s in-flight threshold, while the cluster acknowledges all along. Every
 * guard runs with its default settings; no breaker may leave CLOSED, and every record is acknowledged. (Timing each
 * record from its send alone, the wrapper's breaker opened about 2 s in, "5 consecutive failure(s)", each "no
 * acknowledgement for 2087 ms", and refused every send for its 30 s reset timeout while the cluster went on
 * acknowledging the backlog.)
 */
@RealBroker
@Timed
class BacklogIT {

    static final int BYTES_PER_SECOND = 1_000_000;
    static final int SENDING_SECONDS = 8;
    static final int BUFFER_BYTES = 6 * 1024 * 1024;
    static final Duration IN_FLIGHT_THRESHOLD = Duration.ofSeconds(2);

    /** One guard under the quota: how it sends, and what it counted. */
    private static final class Guarded {
        final String label;
        final List<BreakerWatch> watches = new ArrayList<>();
        final AtomicLong sent = new AtomicLong();
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
    private static String throttled(TestBroker broker, String clientId) throws Exception {
        broker.createTopic(clientId, 1, 1, Map.of());
        ClientQuotaEntity client = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, clientId));
        broker.admin().alterClientQuotas(List.of(new ClientQuotaAlteration(client,
                List.of(new ClientQuotaAlteration.Op("producer_byte_rate", (double) BYTES_PER_SECOND))))).all()
                .get(30, TimeUnit.SECONDS);
        return clientId;
    }

    private static Map<String, Object> config(TestBroker broker, String clientId) {
        Map<String, Object> config = new HashMap<>(Records.producerConfig(broker.bootstrapServers()));
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, BUFFER_BYTES);
        config.put("breakwater.breaker.name", clientId);
        config.put("breakwater.status.enabled", "false");
        return config;
    }

    /** Sends through {@code send} for {@link #SENDING_SECONDS} s, then waits until every record is answered. */
    private static void load(Guarded guarded, Consumer<Consumer<Throwable>> send) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(SENDING_SECONDS);
        while (System.nanoTime() - until < 0) {
            send.accept(guarded.answer());
        }
        long lastSend = System.nanoTime();
        await(guarded.label + ": every record answered").atMost(Duration.ofSeconds(90))
                .until(() -> guarded.acknowledged.get() + guarded.failures.size() == guarded.sent.get());
        guarded.drainedAfterMillis = (System.nanoTime() - lastSend) / 1_000_000;
    }

    @Test
    @Timeout(240)
    void aClusterThatAcknowledgesSlowerThanRecordsComeOpensNoBreakerAndLosesNoRecord(TestBroker broker) throws Exception {
        String run = "backlog-" + UUID.randomUUID().toString().substring(0, 6);
        String value = "x".repeat(1_000);
        Guarded wrapper = new Guarded("wrapper");
        Guarded interceptor = new Guarded("interceptor");
        Guarded bus = new Guarded("EventBus");
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            String wrapperTopic = throttled(broker, run + "-wrapper");
            String interceptorTopic = throttled(broker, run + "-interceptor");
            String busTopic = throttled(broker, run + "-bus");
            List<Future<?>> loads = new ArrayList<>();
            loads.add(callers.submit(() -> {
                Map<String, Object> config = config(broker, wrapperTopic);
                try (CircuitBreakerProducer<String, String> producer =
                             CircuitBreakerProducer.wrap(new KafkaProducer<>(config), config)) {
                    wrapper.watch("breaker", producer.breaker());
                    load(wrapper, done -> producer.send(new ProducerRecord<>(wrapperTopic, "k", value),
                            (m, e) -> done.accept(e)));
                }
                return null;
            }));
            loads.add(callers.submit(() -> {
                Map<String, Object> config = config(broker, interceptorTopic);
                config.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
                try (Producer<String, String> producer = new KafkaProducer<>(config)) {
                    interceptor.watch("breaker", CircuitBreakerRegistry.global().get(interceptorTopic).orElseThrow());
                    load(interceptor, done -> producer.send(new ProducerRecord<>(interceptorTopic, "k", value),
                            (m, e) -> done.accept(e)));
                }
                return null;
            }));
            loads.add(callers.submit(() -> {
                // The bus's publish never blocks: at most 8,000 events (8 MB) outstanding, so that they wait in Kafka's
                // buffer and the transport's queue rather than being refused by a full queue.
                Semaphore outstanding = new Semaphore(8_000);
                Map<String, Object> config = config(broker, busTopic);
                config.remove("breakwater.status.enabled");   // the bus publishes status only when given a publisher
                config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);   // the transport's own: its codec makes bytes
                try (EventBus eventBus = EventBus.builder(RedpandaTransport.builder(config).build()).build()) {
                    assertThat(eventBus.topicFor(busTopic)).isEqualTo(busTopic);
                    eventBus.publishStream(busTopic, "first").get(30, TimeUnit.SECONDS);
                    bus.watch("transport", eventBus.transportBreaker());
                    bus.watch("stream", eventBus.channelBreaker(busTopic));
                    load(bus, done -> {
                        outstanding.acquireUninterruptibly();
                        eventBus.publishStream(busTopic, "k", value, Map.of()).whenComplete((r, e) -> {
                            outstanding.release();
                            done.accept(e);
                        });
                    });
                }
                return null;
            }));
            for (Future<?> load : loads) {
                load.get(200, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }

        List<Guarded> all = List.of(wrapper, interceptor, bus);
        System.out.println("Each producer held to " + BYTES_PER_SECOND + " B/s, " + SENDING_SECONDS + " s of sending:");
        all.forEach(g -> System.out.println("  " + g));
        assertThat(all).allSatisfy(g -> {
            assertThat(g.transitions()).as("%s: transitions of its breakers", g.label).isEmpty();
            assertThat(g.failures).as("%s: failed records", g.label).isEmpty();
            assertThat(g.acknowledged.get()).as("%s: acknowledged (the load was real)", g.label).isGreaterThanOrEqualTo(4_000);
            assertThat(Duration.ofNanos(g.slowestAckNanos.get())).as("%s: the slowest acknowledgement", g.label)
                    .isGreaterThanOrEqualTo(IN_FLIGHT_THRESHOLD.multipliedBy(2));
        });
    }
}
