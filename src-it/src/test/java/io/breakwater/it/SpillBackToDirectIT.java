package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.eventbus.EventBus;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream that spilled goes back to publishing directly once its spill is replayed, though its load goes on
 * (the EventBus javadoc: events follow spilled ones into the spill "while" events of the stream wait there). On
 * the embedded broker, a steady load of 300 events/s; the stream's breaker is forced open for 1 s, then reset;
 * 10 s later, the publishes of the last 5 s must have gone straight to Kafka.
 */
@Timed
class SpillBackToDirectIT {

    private static final int SECONDS = 12;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aStreamThatSpilledPublishesDirectlyAgainOnceItsSpillIsReplayedUnderASteadyLoad() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.startSingleNode()) {
            String stream = "back-" + UUID.randomUUID().toString().substring(0, 8);
            Records.createTopics(kafka.bootstrapServers(), List.of(stream));
            RedpandaTransport transport = RedpandaTransport.builder(Map.of("bootstrap.servers", kafka.bootstrapServers())).build();
            try (EventBus bus = EventBus.builder(transport).spill(SqliteSpillStore.open(dir.resolve("spill.db"))).build();
                 SpillLoad load = new SpillLoad(bus, stream, 4, 20, 300)) {
                // Outcomes by the second (since the reset) in which they completed: direct acks, and spills.
                AtomicLongArray direct = new AtomicLongArray(SECONDS);
                AtomicLongArray spilled = new AtomicLongArray(SECONDS);
                long[] resetAt = {Long.MAX_VALUE};
                load.listener((tick, result, error) -> {
                    long second = (System.nanoTime() - resetAt[0]) / 1_000_000_000L;
                    if (error == null && second >= 0 && second < SECONDS) {
                        (result.spilled() ? spilled : direct).incrementAndGet((int) second);
                    }
                }).start();
                await().atMost(Duration.ofSeconds(30)).until(() -> load.acked.get() >= 300);

                bus.channelBreaker(stream).forceOpen();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.spilled.get() >= 300);
                resetAt[0] = System.nanoTime();
                bus.channelBreaker(stream).reset();
                await("the load to go on " + SECONDS + " s after the reset").atMost(Duration.ofSeconds(SECONDS + 5))
                        .failFast("a publish failed", () -> load.failed.get() > 0)
                        .until(() -> System.nanoTime() - resetAt[0] >= Duration.ofSeconds(SECONDS).toNanos());
                load.stop();

                StringBuilder table = new StringBuilder("second after the reset: direct acks / spilled");
                long spilledLate = 0;
                long directLate = 0;
                for (int s = 0; s < SECONDS; s++) {
                    table.append(String.format("%n  %2d: %4d / %4d", s, direct.get(s), spilled.get(s)));
                    if (s >= SECONDS - 6 && s < SECONDS - 1) {
                        spilledLate += spilled.get(s);
                        directLate += direct.get(s);
                    }
                }
                System.out.println("SpillBackToDirectIT " + table + "\nspill: " + bus.spillStatus());
                assertThat(directLate + spilledLate).as("publishes of the last 5 s").isPositive();
                assertThat(spilledLate).as("publishes spilled 6 to 11 s after the reset, though Kafka was fine; %s", table)
                        .isZero();
            }
        }
    }
}
