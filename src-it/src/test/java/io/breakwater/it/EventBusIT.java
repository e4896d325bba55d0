package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.testkit.RealBroker;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The EventBus on a real broker: throughput and order, an outage end to end, and nothing lost. */
@RealBroker(faults = true)
@Timed
class EventBusIT {

    record Tick(long sequence, String symbol) {
    }

    private EmbeddedKafkaCluster kafka;

    @AfterEach
    void heal() {
        if (kafka != null) {
            kafka.passAll();
        }
    }

    private static EventBus bus(EmbeddedKafkaCluster kafka, Duration reset) {
        RedpandaTransport transport = RedpandaTransport.builder(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                        "linger.ms", 5))
                .breakerConfig(CircuitBreakerConfig.from(BreakerPresets.kafkaTransport()).resetTimeout(reset).build())
                .build();
        return EventBus.builder(transport)
                .defaultChannelConfig(CircuitBreakerConfig.from(BreakerPresets.kafkaChannel("default")).resetTimeout(reset).build())
                .build();
    }

    @Test
    void theBusPublishesTheTransitionsOfAllItsBreakersToTheStatusTopic(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        String topic = "bus-status-" + java.util.UUID.randomUUID();
        Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());
        RedpandaTransport transport = RedpandaTransport.builder(client).build();
        try (io.breakwater.status.StatusPublisher publisher = io.breakwater.status.StatusPublisher.create(client, topic, "bus-1");
             io.breakwater.status.StatusReader reader = io.breakwater.status.StatusReader.start(client, topic);
             EventBus bus = EventBus.builder(transport).statusPublisher(publisher).build()) {
            bus.channelBreaker("orders").forceOpen();
            bus.channelBreaker("payments").forceOpen();
            bus.channelBreaker("payments").reset();
            bus.transportBreaker().forceOpen();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var fleet = reader.fleet();
                assertThat(fleet).containsOnlyKeys("bus-1/eventbus-orders", "bus-1/eventbus-payments", "bus-1/redpanda_transport");
                assertThat(fleet.get("bus-1/eventbus-orders").to()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
                assertThat(fleet.get("bus-1/eventbus-payments").to()).isEqualTo(CircuitBreakerState.CLOSED);
                assertThat(fleet.get("bus-1/redpanda_transport").to()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
            });
            bus.transportBreaker().reset();
        }
    }

    @Test
    void tenThousandEventsComeBackInOrderPerKey(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        kafka.createTopic("ticks-bulk", 4, 1, Map.of());
        List<CompletableFuture<PublishResult>> results = new ArrayList<>();
        try (EventBus bus = bus(kafka, Duration.ofSeconds(30))) {
            // One event first, answered, so the burst does not meet a topic its producer has never written to
            // (an idempotent producer's first batches to a brand-new topic can be stuck retrying: KAFKA-15591).
            bus.publishStream("ticks-bulk", "WARM-UP", new Tick(0, "WARM-UP"), Map.of()).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 10_000; i++) {
                String symbol = "SYM" + (i % 16);
                results.add(bus.publishStream("ticks-bulk", symbol, new Tick(i, symbol), Map.of()));
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, String>> records = Records.consume(kafka.bootstrapServers(), "ticks-bulk", 10_001);
        assertThat(records).hasSize(10_001);
        Map<String, Long> last = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            long sequence = Long.parseLong(r.value().replaceAll(".*\"sequence\":(\\d+).*", "$1"));
            Long previous = last.put(r.key(), sequence);
            if (previous != null) {
                assertThat(sequence).as("order within key %s", r.key()).isGreaterThan(previous);
            }
        }
    }

    @Test
    void anOutageOpensTheTransportFastFailsPublishesAndRecoversWithNothingLost(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        kafka.createTopic("ticks", 2, 1, Map.of());
        List<CompletableFuture<PublishResult>> results = java.util.Collections.synchronizedList(new ArrayList<>());
        long sequence = 0;
        try (EventBus bus = bus(kafka, Duration.ofSeconds(3))) {
            for (; sequence < 200; sequence++) {
                results.add(bus.publishStream("ticks", "k" + sequence % 8, new Tick(sequence, "AAPL"), Map.of()));
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            kafka.blackHoleAll();
            long fault = System.nanoTime();
            // The load under test: one publish every 10 ms while the breaker decides.
            java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong(sequence);
            java.util.concurrent.ScheduledExecutorService load = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            load.scheduleAtFixedRate(() -> {
                long n = next.getAndIncrement();
                results.add(bus.publishStream("ticks", "k" + n % 8, new Tick(n, "AAPL"), Map.of()));
            }, 0, 10, TimeUnit.MILLISECONDS);
            try {
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                        .until(() -> bus.transportBreaker().state() == CircuitBreakerState.OPEN);
            } finally {
                load.shutdown();
                assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - fault)).as("transport open within 5 s").isLessThan(Duration.ofSeconds(5));
            sequence = next.get();
            assertThat(bus.health().healthy()).isFalse();
            assertThat(bus.health().openCircuits()).contains("redpanda_transport");

            long start = System.nanoTime();
            int fastFails = 1_000;
            for (int i = 0; i < fastFails; i++) {
                CompletableFuture<PublishResult> r = bus.publishStream("ticks", "k" + sequence % 8, new Tick(sequence++, "AAPL"), Map.of());
                assertThat(r).isCompletedExceptionally();
                results.add(r);
            }
            double averageMillis = (System.nanoTime() - start) / 1e6 / fastFails;
            assertThat(averageMillis).as("average fast-fail, ms").isLessThan(1.0);

            kafka.passAll();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                bus.publishStream("ticks", "probe", new Tick(-1, "PROBE"), Map.of());
                return bus.transportBreaker().state() == CircuitBreakerState.CLOSED
                        && bus.channelBreaker("ticks").state() == CircuitBreakerState.CLOSED;
            });
            for (int i = 0; i < 100; i++, sequence++) {
                results.add(bus.publishStream("ticks", "k" + sequence % 8, new Tick(sequence, "AAPL"), Map.of()));
            }
            CompletableFuture.allOf(results.stream().map(f -> f.handle((r, e) -> null)).toArray(CompletableFuture[]::new))
                    .get(150, TimeUnit.SECONDS);
        }

        Set<Long> acknowledged = new HashSet<>();
        Set<Long> rejected = new HashSet<>();
        int otherFailures = 0;
        for (int i = 0; i < results.size(); i++) {
            CompletableFuture<PublishResult> r = results.get(i);
            assertThat(r).as("publish %d completed", i).isDone();
            try {
                r.join();
                acknowledged.add((long) i);
            } catch (CompletionException e) {
                if (e.getCause() instanceof CircuitBreakerOpenException) {
                    rejected.add((long) i);
                } else {
                    otherFailures++;
                }
            }
        }
        assertThat(acknowledged.size() + rejected.size() + otherFailures).as("every publish accounted for").isEqualTo(results.size());
        assertThat(rejected).hasSizeGreaterThanOrEqualTo(1_000);
        Set<Long> onTheTopic = new HashSet<>();
        int total = Records.countOnTopic(kafka.admin(), "ticks");
        for (ConsumerRecord<String, String> r : Records.consume(kafka.bootstrapServers(), "ticks", total)) {
            if (!"probe".equals(r.key())) {
                onTheTopic.add(Long.parseLong(r.value().replaceAll(".*\"sequence\":(-?\\d+).*", "$1")));
            }
        }
        assertThat(onTheTopic).as("every acknowledged event is on the topic").containsAll(acknowledged);
        assertThat(onTheTopic).as("no rejected event reached the broker").doesNotContainAnyElementsOf(rejected);
    }

    @Test
    void newStreamsDoNotWaitForAStatusClusterThatIsAway(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        RedpandaTransport transport = RedpandaTransport.builder(Map.of("bootstrap.servers", kafka.bootstrapServers())).build();
        // Restoring from a status cluster that does not answer: each new stream once waited 5 s for it.
        try (io.breakwater.status.StatusPublisher away = io.breakwater.status.StatusPublisher.create(
                     Map.of("bootstrap.servers", "127.0.0.1:1"), "breakwater-status", "away-" + java.util.UUID.randomUUID());
             EventBus bus = EventBus.builder(transport).statusPublisher(away)
                     .defaultChannelConfig(CircuitBreakerConfig.from(BreakerPresets.kafkaChannel("default"))
                             .stateRestoreWait(Duration.ofMillis(50)).build())
                     .build()) {
            long start = System.nanoTime();
            List<java.util.concurrent.CompletableFuture<?>> sent = new ArrayList<>();
            for (String stream : List.of("first", "second", "third")) {
                sent.add(bus.publishStream(stream, new Tick(1, stream)));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("3 new streams; 15 s before the fix").isLessThan(Duration.ofSeconds(3));
            for (var f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
            away.close(Duration.ZERO);
        }
    }

    @Test
    void closeWithATimeoutReturnsInTimeWhileTheBrokerIsFrozen(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        EventBus bus = bus(kafka, Duration.ofSeconds(30));
        bus.publishStream("frozen-close", new Tick(0, "warm-up")).get(30, TimeUnit.SECONDS);
        kafka.blackHoleAll();
        List<java.util.concurrent.CompletableFuture<PublishResult>> inFlight = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            inFlight.add(bus.publishStream("frozen-close", new Tick(i, "stuck")));
        }
        long start = System.nanoTime();
        bus.close(Duration.ofMillis(500));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("500 ms asked; a margin of 10x").isLessThan(Duration.ofSeconds(5));
        await("every publish is answered").atMost(Duration.ofSeconds(10))
                .until(() -> inFlight.stream().allMatch(CompletableFuture::isDone));
    }
}
