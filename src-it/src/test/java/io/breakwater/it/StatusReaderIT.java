package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.status.StatusPublisher;
import io.breakwater.status.StatusReader;
import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.testkit.RealBroker;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A reader that starts while the cluster is away keeps trying, and catches up once it is back. */
@RealBroker(faults = true)
class StatusReaderIT {

    @Test
    void aReaderStartedWhileTheClusterIsAwayCatchesUpWhenItComesBack(EmbeddedKafkaCluster kafka) throws Exception {
        String topic = "away-" + UUID.randomUUID();
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("away-breaker");
        try (StatusPublisher publisher = StatusPublisher.create(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic, "i")) {
            publisher.attach(breaker);
            breaker.forceOpen();
            assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
        }
        kafka.cutAll();
        try (StatusReader reader = StatusReader.start(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)) {
            // Longer than the 5 s that used to end the reader's thread for good.
            await().pollDelay(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(20))
                    .until(() -> reader.lastError().isPresent());
            assertThat(reader.state()).isEqualTo(StatusReader.State.CONNECTING);
            assertThat(reader.awaitCaughtUp(Duration.ofMillis(100))).isFalse();

            kafka.passAll();

            assertThat(reader.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(reader.fleet()).containsKey("i/away-breaker");
            assertThat(reader.state()).isEqualTo(StatusReader.State.LIVE);
        } finally {
            kafka.passAll();
        }
    }
}
