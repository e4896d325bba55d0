package io.breakwater.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.ManualClock;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.eventbus.SpillStatus;
import io.breakwater.spill.SpillException;
import io.breakwater.spill.SpillStats;
import io.breakwater.spill.SpillStore;
import io.breakwater.spill.SpilledEvent;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.transport.redpanda.RedpandaTransport;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    // The cluster answers only when the test says so.
    private final MockProducer<String, byte[]> mock = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private FailingStore store;
    private EventBus bus;
    private String storeTag;

    @BeforeEach
    void start() {
        store = new FailingStore(SqliteSpillStore.open(dir.resolve("spill.db")));
        storeTag = store.describe();
        // Blocking sends, so that an event has reached the mock when its send returns; time moves only by hand,
        // so nothing opens or closes a breaker but the test.
        RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false)
                .breakerConfig(CircuitBreakerConfig.builder("redpanda_transport").clock(clock).build()).build();
        bus = EventBus.builder(transport).spill(store).clock(clock)
                .defaultChannelConfig(CircuitBreakerConfig.builder("template").clock(clock).build()).build();
    }

    @AfterEach
    void stop() {
        bus.close(Duration.ofSeconds(5));
    }

    private double gauge(String name) {
        return meters.get(name).tag("store", storeTag).gauge().value();
    }

    private double counter(String name) {
        return meters.get(name).tag("store", storeTag).functionCounter().count();
    }

    private List<PublishResult> publish(int events) {
        List<CompletableFuture<PublishResult>> results = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            results.add(bus.publishStream("orders", "k" + i, Map.of("n", i), Map.of()));
        }
        return results.stream().map(CompletableFuture::join).toList();
    }

    @Test
    void exportsEveryMeterOfEachSpillTaggedWithTheStore() {
        SpillMetrics.of(bus).bindTo(meters);

        Set<String> names = meters.getMeters().stream().map(m -> m.getId().getName()).collect(Collectors.toSet());
        assertThat(names).containsExactlyInAnyOrder("breakwater.spill.pending", "breakwater.spill.pending.bytes",
                "breakwater.spill.replay.lag", "breakwater.spill.appended", "breakwater.spill.replayed",
                "breakwater.spill.append.failures", "breakwater.spill.dropped", "breakwater.spill.full",
                "breakwater.spill.refused.full", "breakwater.spill.held", "breakwater.spill.cutovers",
                "breakwater.spill.cutovers.given.up");
        assertThat(meters.getMeters()).allSatisfy(m -> assertThat(m.getId().getTag("store")).isEqualTo(storeTag));
        assertThat(storeTag).isEqualTo("sqlite:" + dir.resolve("spill.db").toAbsolutePath());
        assertThat(meters.get("breakwater.spill.replay.lag").gauge().getId().getBaseUnit()).isEqualTo("seconds");
        assertThat(meters.get("breakwater.spill.pending.bytes").gauge().getId().getBaseUnit()).isEqualTo("bytes");
        assertThat(meters.get("breakwater.spill.appended").meter().getId().getType()).isEqualTo(Meter.Type.COUNTER);
        assertThat(gauge("breakwater.spill.pending")).isZero();
        assertThat(counter("breakwater.spill.appended")).isZero();
    }

    @Test
    void followsEventsIntoTheSpillAndBackOut() {
        SpillMetrics.of(bus).bindTo(meters);
        bus.channelBreaker("orders").forceOpen();

        // Given three publishes refused by the stream's breaker
        List<PublishResult> results = publish(3);
        assertThat(results).allMatch(PublishResult::spilled);

        // Then they wait in the spill, and the gauges say so
        SpillStatus status = bus.spillStatus().get(0);
        assertThat(gauge("breakwater.spill.pending")).isEqualTo(3);
        assertThat(gauge("breakwater.spill.pending.bytes")).isEqualTo(status.pendingBytes()).isPositive();
        assertThat(counter("breakwater.spill.appended")).isEqualTo(3);
        assertThat(counter("breakwater.spill.replayed")).isZero();
        assertThat(counter("breakwater.spill.append.failures")).isZero();
        // The lag is on the wall clock (when each event was spilled): it grows while they wait.
        await().atMost(WAIT).until(() -> gauge("breakwater.spill.replay.lag") >= 0.05);

        // When the breaker admits calls again and the cluster acknowledges the replayed events
        bus.channelBreaker("orders").reset();
        await().atMost(WAIT).until(() -> mock.history().size() == 3);
        for (int i = 0; i < 3; i++) {
            assertThat(mock.completeNext()).isTrue();
        }

        // Then they count as replayed and nothing waits
        await().atMost(WAIT).until(() -> counter("breakwater.spill.replayed") == 3);
        await().atMost(WAIT).until(() -> gauge("breakwater.spill.pending") == 0);
        assertThat(gauge("breakwater.spill.pending.bytes")).isZero();
        assertThat(gauge("breakwater.spill.replay.lag")).isZero();
        assertThat(counter("breakwater.spill.appended")).isEqualTo(3);
    }

    @Test
    void countsAppendFailures() {
        SpillMetrics.of(bus).bindTo(meters);
        bus.channelBreaker("orders").forceOpen();
        store.failAppends = true;

        CompletableFuture<PublishResult> failed = bus.publishStream("orders", Map.of("n", 1));

        assertThat(failed).failsWithin(WAIT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(SpillException.class);
        assertThat(counter("breakwater.spill.append.failures")).isEqualTo(1);
        assertThat(counter("breakwater.spill.appended")).isZero();
        assertThat(gauge("breakwater.spill.pending")).isZero();
    }

    @Test
    void aClosedBusKeepsItsLastValuesAndAScrapeStillWorks() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SpillMetrics spills = SpillMetrics.of(bus);
        spills.bindTo(meters);
        spills.bindTo(prometheus);
        bus.channelBreaker("orders").forceOpen();
        publish(2);
        assertThat(gauge("breakwater.spill.pending")).as("read before the close, as a scrape would").isEqualTo(2);

        bus.close(Duration.ofSeconds(5));

        assertThat(bus.spillStatus()).as("a closed bus reports its stores as last read").singleElement()
                .satisfies(status -> assertThat(status.pending()).isEqualTo(2));
        assertThat(gauge("breakwater.spill.pending")).isEqualTo(2);
        assertThat(counter("breakwater.spill.appended")).isEqualTo(2);
        assertThat(prometheus.scrape()).contains("breakwater_spill_appended_total{store=\"" + storeTag + "\"} 2.0")
                .contains("breakwater_spill_pending{store=\"" + storeTag + "\"} 2.0");
    }

    @Test
    void prometheusNamesAreTheSpillsOwn() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SpillMetrics.of(bus).bindTo(prometheus);
        bus.channelBreaker("orders").forceOpen();
        publish(1);

        String scrape = prometheus.scrape();
        String tag = "{store=\"" + storeTag + "\"}";
        assertThat(scrape).contains("# TYPE breakwater_spill_pending gauge", "breakwater_spill_pending" + tag + " 1.0",
                "# TYPE breakwater_spill_pending_bytes gauge", "breakwater_spill_pending_bytes" + tag + " ",
                "# TYPE breakwater_spill_replay_lag_seconds gauge", "breakwater_spill_replay_lag_seconds" + tag + " ",
                "# TYPE breakwater_spill_appended_total counter", "breakwater_spill_appended_total" + tag + " 1.0",
                "# TYPE breakwater_spill_replayed_total counter", "breakwater_spill_replayed_total" + tag + " 0.0",
                "# TYPE breakwater_spill_append_failures_total counter", "breakwater_spill_append_failures_total" + tag + " 0.0",
                "# TYPE breakwater_spill_dropped_total counter", "breakwater_spill_dropped_total" + tag + " 0.0",
                "# TYPE breakwater_spill_full gauge", "breakwater_spill_full" + tag + " 0.0",
                "# TYPE breakwater_spill_refused_full_total counter", "breakwater_spill_refused_full_total" + tag + " 0.0",
                "# TYPE breakwater_spill_held gauge", "breakwater_spill_held" + tag + " 0.0",
                "# TYPE breakwater_spill_cutovers_total counter", "breakwater_spill_cutovers_total" + tag + " 0.0",
                "# TYPE breakwater_spill_cutovers_given_up_total counter",
                "breakwater_spill_cutovers_given_up_total" + tag + " 0.0");
    }

    @Test
    void aBusWithoutASpillHasNoSpillMeters() {
        RedpandaTransport transport = RedpandaTransport.builder(
                new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer())).nonBlocking(false).build();
        try (EventBus plain = EventBus.builder(transport).build()) {
            SpillMetrics.of(plain).bindTo(meters);
            assertThat(meters.getMeters()).isEmpty();
        }
    }

    /** The SQLite store, whose appends fail while the test says so. */
    static final class FailingStore implements SpillStore {
        private final SpillStore delegate;
        volatile boolean failAppends;

        FailingStore(SpillStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<SpilledEvent> append(List<SpilledEvent> events) {
            if (failAppends) {
                throw new SpillException(describe(), "Spill " + describe() + ": the disk is full (the test says so)", null);
            }
            return delegate.append(events);
        }

        @Override
        public List<SpilledEvent> oldest(String stream, int max) {
            return delegate.oldest(stream, max);
        }

        @Override
        public void remove(List<SpilledEvent> events) {
            delegate.remove(events);
        }

        @Override
        public long highestOrder(String stream) {
            return delegate.highestOrder(stream);
        }

        @Override
        public Set<String> streams() {
            return delegate.streams();
        }

        @Override
        public long events(String stream) {
            return delegate.events(stream);
        }

        @Override
        public SpillStats stats() {
            return delegate.stats();
        }

        @Override
        public long maxEvents() {
            return delegate.maxEvents();
        }

        @Override
        public long maxBytes() {
            return delegate.maxBytes();
        }

        @Override
        public String describe() {
            return delegate.describe();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
