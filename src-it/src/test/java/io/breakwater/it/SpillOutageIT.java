package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.SpillStatus;
import io.breakwater.spill.JdbcSpillStore;
import io.breakwater.spill.SpillStore;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.testkit.ForkedKafkaBroker;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spill through a real outage. An EventBus with its defaults (non-blocking transport, the presets' breakers) but
 * 3 s reset timeouts (30 s by default) and a spill takes a steady load (4 threads, 20 keys, 300 events/s, each event its key and a per-key sequence
 * number) on a forked broker, which goes away under the load and comes back; the load goes on until the spill
 * has emptied and 2 s more. Then: no publish failed (each was acknowledged or spilled), the spill is empty, every
 * event id published is on the topic, and per key the first occurrences of the ids are in sequence order. Both
 * the stream's and the transport's breaker opened during the outage and are CLOSED at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpillOutageIT {

    private static final int THREADS = 4;
    private static final int KEYS = 20;
    private static final int EVENTS_PER_SECOND = 300;
    private static final Duration EMPTIES_WITHIN = Duration.ofSeconds(60);
    private static final Duration RESET = Duration.ofSeconds(3);
    private static final String PG_URL = System.getProperty("breakwater.spill.postgres.url",
            "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String PG_USER = System.getProperty("breakwater.spill.postgres.user", "postgres");
    private static final String PG_PASSWORD = System.getProperty("breakwater.spill.postgres.password", "");

    private static ForkedKafkaBroker broker;

    @TempDir
    Path dir;

    enum Fault {
        KILL, FREEZE
    }

    @BeforeAll
    static void startBroker() {
        broker = ForkedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    @Timeout(150)
    void everyEventGetsThroughABrokerKilledFor15sWithASqliteSpill() throws Exception {
        run("sqlite", SqliteSpillStore.open(dir.resolve("spill.db")), Fault.KILL, Duration.ofSeconds(15));
    }

    @Test
    @Order(2)
    @Timeout(150)
    void everyEventGetsThroughABrokerFrozenFor5sWithAPostgresSpill() throws Exception {
        String table = "spill_outage_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try {
            run("postgres", JdbcSpillStore.builder(PG_URL, PG_USER, PG_PASSWORD).table(table).open(), Fault.FREEZE,
                    Duration.ofSeconds(5));
        } finally {
            try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }

    private void run(String label, SpillStore store, Fault fault, Duration outage) throws Exception {
        String stream = "spill-" + label + "-" + UUID.randomUUID().toString().substring(0, 8);
        Records.createTopics(broker.bootstrapServers(), List.of(stream));
        // The presets' breakers with a shorter reset timeout: the replay starts within seconds of the recovery, not 30 s.
        RedpandaTransport transport = RedpandaTransport.builder(Map.of("bootstrap.servers", broker.bootstrapServers()))
                .breakerConfig(CircuitBreakerConfig.from(BreakerPresets.kafkaTransport()).resetTimeout(RESET).build()).build();
        EventBus bus = EventBus.builder(transport).spill(store)
                .defaultChannelConfig(CircuitBreakerConfig.from(BreakerPresets.kafkaChannel("default")).resetTimeout(RESET).build())
                .build();
        BreakerWatch streamBreaker = new BreakerWatch("stream", bus.channelBreaker(stream));
        BreakerWatch transportBreaker = new BreakerWatch("transport", bus.transportBreaker());
        SpillLoad load = new SpillLoad(bus, stream, THREADS, KEYS, EVENTS_PER_SECOND);
        Timeline timeline = new Timeline(bus, load);
        boolean faulted = false;
        try {
            long begin = System.nanoTime();
            load.start();
            timeline.await("a healthy start", Duration.ofSeconds(30), () -> load.acked.get() >= 600);

            long faultAt = System.nanoTime();
            inject(fault);
            faulted = true;
            timeline.mark(fault + " for " + outage.toSeconds() + " s");
            // The outage lasts its time, under the load, and at least until both breakers opened (2 s after the fault
            // as a rule, later on a machine short of CPU); no publish may fail meanwhile.
            timeline.await("the outage", outage.plusSeconds(15), () -> System.nanoTime() - faultAt >= outage.toNanos()
                    && streamBreaker.millisToOpen(faultAt, Long.MAX_VALUE).isPresent()
                    && transportBreaker.millisToOpen(faultAt, Long.MAX_VALUE).isPresent());
            long spilledInOutage = load.spilled.get();

            long recoveredAt = System.nanoTime();
            recover(fault);
            faulted = false;
            timeline.mark("recovered");
            // The load goes on while the breakers come back and the replay starts, and 3 s after they closed.
            timeline.await("the breakers to close", EMPTIES_WITHIN, () -> bothClosed(bus));
            long closedAt = System.nanoTime();
            timeline.mark("both breakers CLOSED");
            timeline.await("3 s more of the load", Duration.ofSeconds(8),
                    () -> System.nanoTime() - closedAt >= Duration.ofSeconds(3).toNanos());
            load.stop();
            timeline.mark("load stopped");
            timeline.await("every publish answered", Duration.ofSeconds(60), () -> load.answered() == load.published.get());
            long left = EMPTIES_WITHIN.toNanos() - (System.nanoTime() - recoveredAt);
            timeline.await("the spill to empty within " + EMPTIES_WITHIN.toSeconds() + " s of the recovery",
                    Duration.ofNanos(Math.max(left, Duration.ofSeconds(1).toNanos())), () -> spill(bus).pending() == 0);
            long emptyAt = System.nanoTime();
            timeline.close();

            assertThat(load.failed.get()).as("failed publishes, the first: %s", load.failures).isZero();
            assertThat(load.completed).hasSize((int) load.published.get());
            assertThat(spilledInOutage).as("events spilled during the outage").isPositive();
            SpillStatus spill = spill(bus);
            assertThat(spill.replayed()).as("every spilled event replayed").isGreaterThanOrEqualTo(load.spilled.get());
            assertThat(spill.appendFailures()).isZero();
            assertThat(bus.channelBreaker(stream).state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(bus.transportBreaker().state()).isEqualTo(CircuitBreakerState.CLOSED);

            Set<String> ids = load.completed.keySet();
            SpilledTopic topic = SpilledTopic.read(broker.bootstrapServers(), stream, ids, Duration.ofSeconds(60));
            long halfOpenAt = streamBreaker.heard().stream().filter(h -> h.nanos() > recoveredAt
                    && h.transition().to() == CircuitBreakerState.HALF_OPEN).mapToLong(BreakerWatch.Heard::nanos).findFirst()
                    .orElse(recoveredAt);
            System.out.printf("SpillOutageIT %s, %s %d s: %s, replayed %d, on the topic %d records (%d duplicates); "
                            + "stream opened %d ms and transport %d ms after the fault; after the recovery: HALF_OPEN at "
                            + "%.1f s, both CLOSED at %.1f s, spill empty at %.1f s (replay %.0f events/s from HALF_OPEN "
                            + "on, the load going on %.1f s of it); run %.1f s%n", label, fault, outage.toSeconds(),
                    load.counts(), spill.replayed(), topic.records.size(), topic.duplicates,
                    streamBreaker.millisToOpen(faultAt, Long.MAX_VALUE).orElse(-1L),
                    transportBreaker.millisToOpen(faultAt, Long.MAX_VALUE).orElse(-1L), (halfOpenAt - recoveredAt) / 1e9,
                    (closedAt - recoveredAt) / 1e9, (emptyAt - recoveredAt) / 1e9,
                    spill.replayed() / Math.max(0.001, (emptyAt - halfOpenAt) / 1e9), (closedAt + 3e9 - halfOpenAt) / 1e9,
                    (System.nanoTime() - begin) / 1e9);
            Set<String> missing = topic.missing(ids);
            assertThat(missing).as("event ids published and not on the topic (%d of %d)", missing.size(), ids.size()).isEmpty();
            assertThat(topic.orderViolations()).as("per key, sequence numbers in order once duplicates are dropped").isEmpty();
            assertThat(topic.firsts).hasSize(ids.size());
        } finally {
            timeline.close();
            load.close();
            if (faulted) {
                recover(fault);
            }
            bus.close(Duration.ofSeconds(5));
            streamBreaker.close();
            transportBreaker.close();
        }
    }

    /**
     * The bus's spill and breakers every second, and the test's steps: printed when a wait times out or a
     * publish fails, to tell a slow replay from a stuck one.
     */
    private static final class Timeline implements AutoCloseable {
        private final EventBus bus;
        private final SpillLoad load;
        private final long start = System.nanoTime();
        private final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.ScheduledExecutorService sampler;

        Timeline(EventBus bus, SpillLoad load) {
            this.bus = bus;
            this.load = load;
            this.sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "spill-timeline");
                t.setDaemon(true);
                return t;
            });
            sampler.scheduleAtFixedRate(this::sample, 0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }

        private String at() {
            return String.format("%6.1f s ", (System.nanoTime() - start) / 1e9);
        }

        private void sample() {
            try {
                SpillStatus spill = spill(bus);
                StringBuilder line = new StringBuilder(at()).append("pending ").append(spill.pending()).append(", replayed ")
                        .append(spill.replayed()).append(", ").append(load.counts());
                bus.circuitBreakerStatus().values().forEach(s -> line.append(", ").append(s.name()).append(' ').append(s.state()));
                lines.add(line.toString());
            } catch (RuntimeException e) {
                lines.add(at() + "could not sample: " + e);
            }
        }

        void mark(String step) {
            lines.add(at() + "** " + step);
        }

        void await(String what, Duration atMost, java.util.concurrent.Callable<Boolean> condition) {
            try {
                org.awaitility.Awaitility.await(what).atMost(atMost).failFast("a publish failed", () -> load.failed.get() > 0)
                        .until(condition);
            } catch (org.awaitility.core.ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
                sample();
                throw new AssertionError(e.getMessage() + "; the first failures: " + load.failures + "\n"
                        + String.join("\n", lines), e);
            }
        }

        @Override
        public void close() {
            sampler.shutdownNow();
        }
    }

    private static SpillStatus spill(EventBus bus) {
        return bus.spillStatus().get(0);
    }

    private static boolean bothClosed(EventBus bus) {
        return bus.circuitBreakerStatus().values().stream().allMatch(s -> s.state() == CircuitBreakerState.CLOSED);
    }

    private static void inject(Fault fault) {
        switch (fault) {
            case KILL -> broker.kill();
            case FREEZE -> broker.freeze();
        }
    }

    private static void recover(Fault fault) {
        switch (fault) {
            case KILL -> broker.restart();
            case FREEZE -> broker.resume();
        }
    }
}
