package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BreakerPresetsTest {

    static Stream<Arguments> presets() {
        return Stream.of(
                Arguments.of(BreakerPresets.kafkaTransport(), "redpanda_transport", 5, 30, 0, 0.0),
                Arguments.of(BreakerPresets.kafkaChannel("orders"), "eventbus-orders", 5, 30, 0, 0.0),
                Arguments.of(BreakerPresets.kafka("event_store"), "event_store", 5, 30, 0, 0.0),
                Arguments.of(BreakerPresets.postgres("main_db"), "main_db", 5, 30, 0, 0.0),
                Arguments.of(BreakerPresets.postgresMultiWorker("main_db"), "main_db", 10, 60, 20, 0.5),
                Arguments.of(BreakerPresets.redis("cache"), "cache", 3, 15, 0, 0.0),
                Arguments.of(BreakerPresets.brokerApi("alpaca"), "alpaca", 5, 60, 20, 0.5),
                Arguments.of(BreakerPresets.websocket("conn-123"), "conn-123", 10, 30, 50, 0.3),
                Arguments.of(BreakerPresets.connectionRecovery("alpaca"), "alpaca", 5, 30, 10, 0.5));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("presets")
    void presetsCarryTheGuidesValues(CircuitBreakerConfig config, String name, int failures, int resetSeconds,
                                     int window, double rate) {
        assertThat(config.name()).isEqualTo(name);
        assertThat(config.failureThreshold()).isEqualTo(failures);
        assertThat(config.resetTimeout()).isEqualTo(Duration.ofSeconds(resetSeconds));
        assertThat(config.windowSize()).isEqualTo(window == 0 ? OptionalInt.empty() : OptionalInt.of(window));
        assertThat(config.failureRateThreshold()).isEqualTo(rate == 0 ? OptionalDouble.empty() : OptionalDouble.of(rate));
    }
}
