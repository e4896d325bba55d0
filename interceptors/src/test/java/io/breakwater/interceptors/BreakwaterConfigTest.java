package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreakerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BreakwaterConfigTest {

    @Test
    void defaultsGiveTheKafkaPresetAndTheDocumentedThresholds() {
        BreakwaterConfig config = new BreakwaterConfig(Map.of("bootstrap.servers", "localhost:9092"));
        CircuitBreakerConfig breaker = config.toBreakerConfig();
        assertThat(breaker.name()).isEqualTo("kafka-producer");
        assertThat(breaker.failureThreshold()).isEqualTo(5);
        assertThat(breaker.resetTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.sendBlockThreshold()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.inFlightThreshold()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.statusTopic()).isEqualTo("breakwater-status");
        assertThat(config.statusEnabled()).isTrue();
        assertThat(config.instanceId()).isNotBlank();
    }

    @Test
    void everyKeyReachesTheBreakerConfig() {
        Map<String, Object> props = new HashMap<>();
        props.put("breakwater.breaker.name", "orders-producer");
        props.put("breakwater.failure.threshold", "7");
        props.put("breakwater.success.threshold", 2);
        props.put("breakwater.reset.timeout.ms", "5000");
        props.put("breakwater.half.open.max.calls", "4");
        props.put("breakwater.half.open.max.wait.ms", "9000");
        props.put("breakwater.window.duration.ms", "10000");
        props.put("breakwater.minimum.calls", "6");
        props.put("breakwater.failure.rate.threshold", "0.4");
        props.put("breakwater.slow.call.duration.ms", "800");
        props.put("breakwater.slow.call.rate.threshold", "0.6");
        props.put("breakwater.instance.id", "trader-7");
        BreakwaterConfig config = new BreakwaterConfig(props);
        CircuitBreakerConfig b = config.toBreakerConfig();
        assertThat(b.name()).isEqualTo("orders-producer");
        assertThat(b.failureThreshold()).isEqualTo(7);
        assertThat(b.successThreshold()).isEqualTo(2);
        assertThat(b.resetTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(b.halfOpenMaxCalls()).isEqualTo(4);
        assertThat(b.halfOpenMaxWait()).isEqualTo(Duration.ofSeconds(9));
        assertThat(b.windowDuration()).contains(Duration.ofSeconds(10));
        assertThat(b.minimumCalls()).isEqualTo(6);
        assertThat(b.failureRateThreshold()).hasValue(0.4);
        assertThat(b.slowCallDuration()).contains(Duration.ofMillis(800));
        assertThat(b.slowCallRateThreshold()).hasValue(0.6);
        assertThat(config.instanceId()).isEqualTo("trader-7");
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("breakwater.failure.threshold", "0"),
                Arguments.of("breakwater.failure.threshold", "many"),
                Arguments.of("breakwater.reset.timeout.ms", "-1"),
                Arguments.of("breakwater.failure.rate.threshold", "1.5"),
                Arguments.of("breakwater.window.size", "-3"),
                Arguments.of("breakwater.window.duration.ms", "1500"),
                Arguments.of("breakwater.in.flight.threshold.ms", "0"),
                Arguments.of("breakwater.send.block.threshold.ms", "0"),
                Arguments.of("breakwater.status.topic", "not a topic!"),
                Arguments.of("breakwater.status.enabled", "maybe"),
                Arguments.of("breakwater.success.threshold", "9"),
                Arguments.of("breakwater.failure.rate.threshold", "NaN"),
                Arguments.of("breakwater.slow.call.rate.threshold", "NaN"),
                Arguments.of("breakwater.breaker.name", "   "),
                Arguments.of("breakwater.instance.id", " "));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    void aBadValueFailsNamingItsKey(String key, String value) {
        assertThatThrownBy(() -> new BreakwaterConfig(Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key);
    }

    @Test
    void anUnnamedBreakerTakesTheClientIdThatWasSetAndOnlyThat() {
        assertThat(new BreakwaterConfig(Map.of("client.id", "orders-service")).breakerName()).isEqualTo("orders-service");
        assertThat(new BreakwaterConfig(Map.of("client.id", "producer-3")).breakerName())
                .as("a client.id Kafka generated is no name").isEqualTo("kafka-producer");
        assertThat(new BreakwaterConfig(Map.of()).breakerName()).isEqualTo("kafka-producer");
        BreakwaterConfig transactional = new BreakwaterConfig(Map.of("client.id", "producer-orders-tx", "transactional.id", "orders-tx"));
        assertThat(transactional.breakerName()).as("Kafka makes producer-{transactional.id} up").isEqualTo("kafka-producer");
        assertThat(transactional.stableInstanceId()).isFalse();
        assertThat(new BreakwaterConfig(Map.of("client.id", "orders-service", "breakwater.breaker.name", "x")).breakerName())
                .isEqualTo("x");
    }

    @Test
    void theInstanceIdIsStableOnlyWhenSetOrMadeFromTheClientId() {
        BreakwaterConfig unnamed = new BreakwaterConfig(Map.of());
        assertThat(unnamed.stableInstanceId()).isFalse();
        assertThat(unnamed.restoreState()).as("nothing could ever be found under {host}-{pid}").isFalse();
        assertThat(unnamed.instanceId()).endsWith("-" + ProcessHandle.current().pid());
        BreakwaterConfig fromClientId = new BreakwaterConfig(Map.of("client.id", "orders-service"));
        assertThat(fromClientId.stableInstanceId()).isTrue();
        assertThat(fromClientId.restoreState()).isTrue();
        assertThat(fromClientId.instanceId()).endsWith("-orders-service");
        assertThat(new BreakwaterConfig(Map.of("breakwater.instance.id", "trader-7")).restoreState()).isTrue();
    }

    @Test
    void aRateWithoutAWindowFailsWithTheBreakersRule() {
        assertThatThrownBy(() -> new BreakwaterConfig(Map.of("breakwater.failure.rate.threshold", "0.5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("breakwater.failure.rate.threshold needs a window: set breakwater.window.size or "
                        + "breakwater.window.duration.ms");
    }

    @Test
    void anUnknownBreakwaterKeyFailsNamingIt() {
        assertThatThrownBy(() -> new BreakwaterConfig(Map.of("breakwater.failure.treshold", "3")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("breakwater.failure.treshold")
                .hasMessageContaining("breakwater.failure.threshold");
    }

    @Test
    void otherKeysAreLeftAlone() {
        new BreakwaterConfig(Map.of("acks", "all", "linger.ms", "5", "interceptor.classes", "x"));
    }

    @Test
    void theDocsTableIsGeneratedFromTheConfigDef() throws IOException {
        Path docs = io.breakwater.testkit.Workspace.root().resolve("docs/configuration.md");
        String generated = BreakwaterConfig.markdownTable();
        if (Boolean.getBoolean("breakwater.docs.write")) {
            Files.createDirectories(docs.getParent());
            Files.writeString(docs, generated);
        }
        assertThat(docs).as("regenerate with: mvn -pl interceptors test -Dtest=BreakwaterConfigTest -Dbreakwater.docs.write=true")
                .exists();
        assertThat(Files.readString(docs)).isEqualTo(generated);
        for (String key : BreakwaterConfig.CONFIG_DEF.names()) {
            assertThat(generated).contains("`" + key + "`");
        }
    }

    @Test
    void theFleetKeysHaveTheirDefaultsAndRanges() {
        BreakwaterConfig defaults = new BreakwaterConfig(Map.of());
        assertThat(defaults.statusHeartbeat()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.controlEnabled()).as("off by default").isFalse();
        assertThat(defaults.controlTopic()).isEqualTo("breakwater-control");
        assertThat(defaults.controlReadTimeout()).isEqualTo(Duration.ofSeconds(5));
        BreakwaterConfig set = new BreakwaterConfig(Map.of("breakwater.status.heartbeat.ms", "1000",
                "breakwater.control.enabled", "true", "breakwater.control.topic", "ops.control",
                "breakwater.control.read.timeout.ms", "0"));
        assertThat(set.statusHeartbeat()).isEqualTo(Duration.ofSeconds(1));
        assertThat(set.controlEnabled()).isTrue();
        assertThat(set.controlTopic()).isEqualTo("ops.control");
        assertThat(set.controlReadTimeout()).isZero();
        assertThatThrownBy(() -> new BreakwaterConfig(Map.of("breakwater.status.heartbeat.ms", "99")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value 99 for configuration breakwater.status.heartbeat.ms: Value must be at least 100");
        assertThatThrownBy(() -> new BreakwaterConfig(Map.of("breakwater.control.topic", "not a topic")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("breakwater.control.topic")
                .hasMessageContaining("must be a valid topic name");
        assertThatThrownBy(() -> new BreakwaterConfig(Map.of("breakwater.control.enabled", "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("breakwater.control.enabled");
        assertThatThrownBy(() -> new BreakwaterConfig(Map.of("breakwater.control.read.timeout.ms", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("breakwater.control.read.timeout.ms");
    }
}
