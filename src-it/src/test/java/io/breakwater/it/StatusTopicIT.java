package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.status.FleetEntry;
import io.breakwater.status.StatusEvent;
import io.breakwater.status.StatusMessage;
import io.breakwater.status.StatusPublisher;
import io.breakwater.status.StatusReader;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import io.breakwater.testsupport.LogLines;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The status topic on a real broker: created compacted, a plain one used with a warning, garbage skipped. */
@RealBroker
class StatusTopicIT {

    @Test
    void thePublisherCreatesACompactedTopicEvenWhenAReaderStartedFirst(TestBroker broker) throws Exception {
        String topic = "status-" + UUID.randomUUID();
        CircuitBreaker orders = CircuitBreaker.ofDefaults("orders");
        CircuitBreaker payments = CircuitBreaker.ofDefaults("payments");
        // Regression: a reader that starts first once auto-created the topic uncompacted through its metadata requests.
        try (StatusReader reader = StatusReader.start(broker.clientConfig(), topic);
             StatusPublisher publisher = StatusPublisher.create(broker.clientConfig(), topic, "instance-a")) {
            publisher.attach(orders);
            publisher.attach(payments);
            orders.forceOpen();
            payments.forceOpen();
            payments.reset();
            assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
            assertThat(publisher.topicCompacted()).contains(true);
            String policy = broker.admin().describeConfigs(java.util.List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
                    .all().get(30, TimeUnit.SECONDS).values().iterator().next()
                    .get("cleanup.policy").value();
            assertThat(policy).isEqualTo("compact");

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<String, StatusEvent> fleet = reader.fleet();
                assertThat(fleet).containsOnlyKeys("instance-a/orders", "instance-a/payments");
                assertThat(fleet.get("instance-a/orders").to()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
                assertThat(fleet.get("instance-a/payments").to()).isEqualTo(CircuitBreakerState.CLOSED);
                assertThat(fleet.get("instance-a/payments").sequence()).isEqualTo(2);
            });
        }
    }

    @Test
    void aTopicThatIsNotCompactedIsUsedWithAWarningAndGarbageIsSkipped(TestBroker broker) throws Exception {
        String topic = "plain-status-" + UUID.randomUUID();
        broker.createTopic(topic, 1, 1, Map.of("cleanup.policy", "delete"));
        try (KafkaProducer<String, byte[]> garbage = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", StringSerializer.class, "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
            garbage.send(new ProducerRecord<>(topic, "x/y", "{not json".getBytes(StandardCharsets.UTF_8))).get();
            garbage.send(new ProducerRecord<>(topic, "x/z", "{\"schema\":99}".getBytes(StandardCharsets.UTF_8))).get();
        }
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("inventory");
        try (StatusPublisher publisher = StatusPublisher.create(broker.clientConfig(), topic, "instance-b");
             StatusReader reader = StatusReader.start(broker.clientConfig(), topic)) {
            publisher.attach(breaker);
            breaker.forceOpen();
            assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> publisher.topicCompacted().isPresent());
            assertThat(publisher.topicCompacted()).contains(false);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(reader.fleet()).containsOnlyKeys("instance-b/inventory");
                assertThat(reader.malformedRecords()).isEqualTo(2);
            });
        }
    }

    @Test
    void anInterceptorAndAWrapperSharingABreakerWriteEachTransitionOnce(TestBroker broker) throws Exception {
        String topic = "pair-" + UUID.randomUUID();
        String name = "pair-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> props = new java.util.HashMap<>(Records.producerConfig(broker.bootstrapServers()));
        props.put("interceptor.classes", io.breakwater.interceptors.CircuitBreakerProducerInterceptor.class.getName());
        props.put("breakwater.breaker.name", name);
        props.put("breakwater.instance.id", "paired");
        props.put("breakwater.status.topic", topic);
        try (io.breakwater.interceptors.CircuitBreakerProducer<String, String> wrapped =
                     io.breakwater.interceptors.CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props)) {
            wrapped.breaker().forceOpen();
            wrapped.breaker().reset();
        }
        List<StatusEvent> events = new ArrayList<>();
        for (StatusMessage m : StatusRecords.all(broker, topic)) {
            if (m instanceof StatusEvent e && e.breaker().equals(name)) {
                events.add(e);
            }
        }
        assertThat(events).extracting(StatusEvent::kind, StatusEvent::to).as("2 transitions, 2 events, not 4; started and "
                + "stopped once each").containsExactly(tuple(StatusEvent.Kind.STARTED, CircuitBreakerState.CLOSED),
                tuple(StatusEvent.Kind.TRANSITION, CircuitBreakerState.FORCED_OPEN),
                tuple(StatusEvent.Kind.TRANSITION, CircuitBreakerState.CLOSED),
                tuple(StatusEvent.Kind.STOPPED, CircuitBreakerState.CLOSED));
    }

    @Test
    void theStartOfTwelveThousandBreakersIsPublishedWholeWithinSeconds(TestBroker broker) throws Exception {
        String topic = "many-" + UUID.randomUUID();
        int breakers = 12_000;   // past the 10,000 keys the queue once held
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        for (int i = 0; i < breakers; i++) {
            registry.getOrCreate("stream-" + i);
        }
        try (StatusPublisher publisher = StatusPublisher.create(broker.clientConfig(), topic, "instance-many");
             StatusReader reader = StatusReader.start(broker.clientConfig(), topic)) {
            long start = System.nanoTime();
            publisher.attach(registry);
            // One send at a time took a round trip per breaker (13.8 s here), and the keys past 10,000 were dropped.
            assertThat(publisher.flush(Duration.ofSeconds(20))).as("published within 20 s").isTrue();
            System.out.printf("%,d breakers' start published in %d ms%n", breakers,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertThat(publisher.dropped()).isZero();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(reader.fleet()).hasSize(breakers));
        }
    }

    @Test
    void aReaderOnAMissingTopicWaitsWithoutSpinningAndFindsItWhenItAppears(TestBroker broker) throws Exception {
        String topic = "late-" + UUID.randomUUID();
        try (StatusReader reader = StatusReader.start(broker.clientConfig(), topic)) {
            await().atMost(Duration.ofSeconds(15)).until(() -> reader.state() == StatusReader.State.WAITING_FOR_TOPIC);
            long before = requests(reader.clientId());
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
            assertThat(requests(reader.clientId()) - before).as("metadata requests in 2 s (2,813 before the fix)")
                    .isLessThan(30);
            assertThat(reader.lastError()).hasValueSatisfying(e -> assertThat(e).contains(topic));

            CircuitBreaker breaker = CircuitBreaker.ofDefaults("late-breaker");
            try (StatusPublisher publisher = StatusPublisher.create(broker.clientConfig(), topic, "instance-late")) {
                publisher.attach(breaker);
                breaker.forceOpen();
                assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.fleet().containsKey("instance-late/late-breaker"));
            assertThat(reader.state()).isEqualTo(StatusReader.State.LIVE);
        }
    }

    @Test
    void anEventTheBrokerRefusesIsDroppedWithAWarningAndTheOthersGoOn(TestBroker broker) throws Exception {
        String topic = "small-" + UUID.randomUUID();
        // Room for a heartbeat and a short name's event (about 400 bytes), not for an event of a 300-character name.
        broker.createTopic(topic, 1, 1, Map.of("cleanup.policy", "compact", "max.message.bytes", "800"));
        LogLines log = LogLines.fromNow();
        CircuitBreaker longName = CircuitBreaker.ofDefaults("n".repeat(300));
        CircuitBreaker orders = CircuitBreaker.ofDefaults("orders");
        try (StatusPublisher publisher = StatusPublisher.create(broker.clientConfig(), topic, "instance-small");
             StatusReader reader = StatusReader.start(broker.clientConfig(), topic)) {
            publisher.attach(longName);
            publisher.attach(orders);
            longName.forceOpen();
            orders.forceOpen();
            // Before, the refused events went first in every round, and every round backed off: nothing was ever flushed.
            assertThat(publisher.flush(Duration.ofSeconds(30))).as("everything sent or dropped within 30 s").isTrue();
            assertThat(publisher.dropped()).as("the long name's start and transition").isEqualTo(2);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(reader.fleet()).containsOnlyKeys("instance-small/orders");
                assertThat(reader.fleet().get("instance-small/orders").to()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
            });
            orders.reset();
            assertThat(publisher.flush(Duration.ofSeconds(30))).as("the publisher goes on after the drop").isTrue();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(reader.fleet().get("instance-small/orders").to()).isEqualTo(CircuitBreakerState.CLOSED));
        }
        assertThat(log.containing("dropped the", "event (sequence", "of instance-small/nnn", "RecordTooLargeException"))
                .as("its start, its transition and, at the close, its stop").hasSize(3);
    }

    @Test
    void instancesWhoseClocksAreOffAreJudgedByWhenTheReaderHeardThem(TestBroker broker) throws Exception {
        String topic = "skew-" + UUID.randomUUID();
        Duration interval = Duration.ofSeconds(1);
        java.time.Instant startedAt = java.time.Instant.now();
        broker.createTopic(topic, 1, 1, Map.of("cleanup.policy", "compact"));
        try (StatusReader reader = StatusReader.start(broker.clientConfig(), topic);
             KafkaProducer<String, byte[]> writer = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                     "key.serializer", StringSerializer.class,
                     "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.state() == StatusReader.State.LIVE);
            long[] sequence = {0};
            // "behind" beats every half interval, its clock 100 s behind; "ahead" beats once, its clock 100 s ahead.
            java.util.function.BiConsumer<String, Duration> beat = (instance, offset) -> writer.send(new ProducerRecord<>(
                    topic, instance, io.breakwater.status.StatusEventCodec.encode(new io.breakwater.status.InstanceEvent(
                            StatusEvent.SCHEMA, io.breakwater.status.InstanceEvent.Kind.HEARTBEAT, instance,
                            java.time.Instant.now().plus(offset), startedAt.plus(offset), interval, ++sequence[0]))));
            for (String instance : List.of("behind", "ahead")) {
                byte[] started = io.breakwater.status.StatusEventCodec.encode(new StatusEvent(StatusEvent.SCHEMA,
                        StatusEvent.Kind.STARTED, "orders", instance, CircuitBreakerState.CLOSED, CircuitBreakerState.CLOSED,
                        startedAt, startedAt, "started", 0, 0, 0, 0, null, 0));
                writer.send(new ProducerRecord<>(topic, instance + "/orders", started));
            }
            beat.accept("ahead", Duration.ofSeconds(100));
            java.util.concurrent.ScheduledExecutorService beats = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            try {
                beats.scheduleAtFixedRate(() -> beat.accept("behind", Duration.ofSeconds(-100)), 0, 500, TimeUnit.MILLISECONDS);
                await().atMost(Duration.ofSeconds(30)).until(() -> reader.fleetEntries(false).size() == 2);
                // Judged by their own clocks, "behind" was STALE from its first heartbeat and "ahead" LIVE for 100 s.
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(reader.fleetEntries(false))
                        .extracting(e -> e.instance() + " " + e.presence())
                        .containsExactly("ahead STALE", "behind LIVE"));
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> reader.fleetEntries(false)
                        .stream().anyMatch(e -> e.instance().equals("behind") && e.presence() == FleetEntry.Presence.LIVE));
            } finally {
                beats.shutdownNow();
            }
        }
    }

    /** The requests a consumer sent so far, from its JMX metrics. */
    static long requests(String clientId) throws Exception {
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        javax.management.ObjectName name = new javax.management.ObjectName(
                "kafka.consumer:type=consumer-metrics,client-id=" + clientId);
        return ((Number) server.getAttribute(name, "request-total")).longValue();
    }
}
