package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** A follower and a writer whose cluster is away, and their bad arguments; nothing here reaches a broker. */
class ControlFollowerTest {

    private static final Map<String, Object> AWAY = Map.of("bootstrap.servers", "127.0.0.1:1");

    @Test
    void aFollowerWhoseClusterIsAwayIsNotCaughtUpAndClosesPromptly() throws Exception {
        ControlFollower follower = ControlFollower.create(AWAY, "breakwater-control", "away-" + System.nanoTime());
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("orders");
        follower.attach(breaker);
        assertThat(follower.awaitCaughtUp(Duration.ofMillis(300))).isFalse();
        assertThat(follower.state()).isEqualTo(StatusReader.State.CONNECTING);
        long start = System.nanoTime();
        follower.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThatThrownBy(() -> follower.attach(breaker)).isInstanceOf(IllegalStateException.class)
                .hasMessage("the control follower for breakwater-control is closed");
        follower.close(); // idempotent
    }

    private static long readerThreads(String instance) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("breakwater-control-" + instance + "-")).count();
    }

    @Test
    void followersOfOneInstanceShareOneReader() {
        String instance = "shared-" + System.nanoTime();
        try (ControlFollower interceptorSide = ControlFollower.create(AWAY, "breakwater-control", instance);
             ControlFollower wrapperSide = ControlFollower.create(AWAY, "breakwater-control", instance)) {
            assertThat(readerThreads(instance)).as("one consumer thread for both handles").isEqualTo(1);
            interceptorSide.close();
            assertThat(wrapperSide.state()).as("the other handle still reads").isNotEqualTo(StatusReader.State.CLOSED);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> ControlFollower.create(Map.of(), "breakwater-control", "i"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("the Breakwater control follower needs bootstrap servers");
        assertThatThrownBy(() -> ControlFollower.create(AWAY, "no such topic", "i"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic must be a Kafka topic name");
        assertThatThrownBy(() -> ControlFollower.create(AWAY, "breakwater-control", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("instanceId must not be blank, but was ' '");
        assertThatThrownBy(() -> ControlFollower.create(AWAY, "breakwater-control", "a/b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("instanceId must not contain '/' (it separates "
                        + "the instance from the breaker in the status and control topics' keys), but was 'a/b'");
        assertThatThrownBy(() -> ControlFollower.create(null, "t", "i")).isInstanceOf(NullPointerException.class)
                .hasMessage("clientConfig");
        ControlCommand command = ControlCommand.issue(ControlCommand.Action.FORCE_OPEN, "orders", null, "alice", null, Instant.now());
        assertThatThrownBy(() -> ControlTopic.send(AWAY, "breakwater-control", command, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be at least 1 ms, but was PT0S");
        assertThatThrownBy(() -> ControlTopic.send(Map.of(), "breakwater-control", command, Duration.ofSeconds(1)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("the Breakwater control writer needs bootstrap servers");
        assertThatThrownBy(() -> ControlTopic.send(AWAY, "breakwater-control", null, Duration.ofSeconds(1)))
                .isInstanceOf(NullPointerException.class).hasMessage("command");
        try (ControlFollower follower = ControlFollower.create(AWAY, "breakwater-control", "i")) {
            assertThatThrownBy(() -> follower.awaitCaughtUp(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("timeout must not be negative, but was PT-0.001S");
        }
    }

    @Test
    void aCommandTheClusterDoesNotTakeFailsNamingItWithinItsTimeout() {
        ControlCommand command = ControlCommand.issue(ControlCommand.Action.DISABLE, "orders", null, "alice", null, Instant.now());
        long start = System.nanoTime();
        assertThatThrownBy(() -> ControlTopic.send(AWAY, "breakwater-control", command, Duration.ofSeconds(1)))
                .isInstanceOf(KafkaException.class)
                .hasMessage("Could not write command " + command.id() + " to breakwater-control on 127.0.0.1:1 within 1000 ms: "
                        + "no answer from the cluster while checking the topic");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("1 s asked; 10x margin").isLessThan(Duration.ofSeconds(10));
    }
}
