package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A reader whose cluster is away: it says so, keeps trying, and closes promptly. */
class StatusReaderTest {

    @Test
    void anUnreachableClusterIsReportedNotThrown() throws Exception {
        try (StatusReader reader = StatusReader.start(Map.of("bootstrap.servers", "127.0.0.1:1"), "breakwater-status")) {
            assertThat(reader.awaitCaughtUp(Duration.ofMillis(300))).isFalse();
            assertThat(reader.state()).isEqualTo(StatusReader.State.CONNECTING);
            assertThat(reader.lastError()).as("why, from the start").hasValue("no answer from the cluster yet");
            Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> reader.lastError().orElse("").startsWith("no answer from 127.0.0.1:1 ("));
            assertThat(reader.lastError().orElseThrow()).contains("TimeoutException");
            assertThat(reader.fleet()).isEmpty();
        }
    }

    @Test
    void closeStopsTheReaderWithinASecond() {
        StatusReader reader = StatusReader.start(Map.of("bootstrap.servers", "127.0.0.1:1"), "breakwater-status");
        long start = System.nanoTime();
        reader.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(reader.state()).isEqualTo(StatusReader.State.CLOSED);
    }

    @Test
    void badSettingsFailAtStartNamingTheReader() {
        assertThatThrownBy(() -> StatusReader.start(Map.of(), "breakwater-status"))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("the Breakwater status reader needs bootstrap servers");
        assertThatThrownBy(() -> StatusReader.start(Map.of("bootstrap.servers", "localhost:9092"), ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("topic must not be blank, but was ''");
    }
}
