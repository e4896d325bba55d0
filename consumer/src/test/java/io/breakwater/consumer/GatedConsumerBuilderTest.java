package io.breakwater.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** Every bad setting, and the message that names it. */
class GatedConsumerBuilderTest {

    private final Fixture f = new Fixture();
    private final CircuitBreaker breaker = f.breaker;

    @Test
    void aMissingHandlerAndMissingTopicsAreReportedTogether() {
        assertThatThrownBy(() -> GatedConsumer.builder(f.consumer, breaker).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid gated consumer 'orders-db': a handler is required: set recordHandler or batchHandler; "
                        + "topics or topicPattern is required");
    }

    @Test
    void settingsThatExcludeEachOtherAreRefused() {
        assertThatThrownBy(() -> f.builder().topicPattern(Pattern.compile("orders.*")).recordHandler(r -> { })
                .batchHandler(rs -> { }).build())
                .hasMessage("Invalid gated consumer 'orders-db': recordHandler and batchHandler exclude each other: set one; "
                        + "topics and topicPattern exclude each other: set one");
    }

    @Test
    void outOfRangeValuesNameTheFieldTheRuleAndTheValue() {
        assertThatThrownBy(() -> GatedConsumer.builder(f.consumer, breaker).topics(List.of()).recordHandler(r -> { })
                .maxAttempts(0).pollTimeout(Duration.ofSeconds(31)).handlerBlockThreshold(Duration.ZERO)
                .commitTimeout(Duration.ofSeconds(-1)).retryBackoff(Duration.ZERO).name(" ").build())
                .hasMessage("Invalid gated consumer ' ': name must not be blank; topics must not be empty; "
                        + "maxAttempts must be >= 1, but was 0; pollTimeout must be in (0, 30 s], but was PT31S; "
                        + "handlerBlockThreshold must be in (0, 1 day], but was PT0S; commitTimeout must be in (0, 1 day], "
                        + "but was PT-1S; retryBackoff must be in (0, 1 day], but was PT0S");
        assertThatThrownBy(() -> GatedConsumer.builder(f.consumer, breaker).topics("orders", " ").recordHandler(r -> { })
                .build())
                .hasMessage("Invalid gated consumer 'orders-db': topics must not contain a null or blank name, but was [orders,  ]");
        assertThatThrownBy(() -> f.builder().recordHandler(r -> { }).pollTimeout(Duration.ZERO).build())
                .hasMessageContaining("pollTimeout must be in (0, 30 s], but was PT0S");
        // "Never", said as the longest duration, would overflow the loop's nanosecond deadlines: refused by name.
        Duration never = Duration.ofMillis(Long.MAX_VALUE);
        assertThatThrownBy(() -> f.builder().recordHandler(r -> { }).handlerBlockThreshold(never).retryBackoff(never)
                .commitTimeout(Duration.ofDays(1).plusNanos(1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid gated consumer 'orders-db': handlerBlockThreshold must be in (0, 1 day], but was "
                        + never + "; commitTimeout must be in (0, 1 day], but was PT24H0.000000001S; retryBackoff must be "
                        + "in (0, 1 day], but was " + never);
    }

    @Test
    void nullArgumentsAreNamed() {
        assertThatThrownBy(() -> GatedConsumer.builder(null, breaker)).isInstanceOf(NullPointerException.class)
                .hasMessage("consumer");
        assertThatThrownBy(() -> GatedConsumer.builder(f.consumer, null)).hasMessage("breaker");
        assertThatThrownBy(() -> f.builder().recordHandler(null)).hasMessage("handler");
        assertThatThrownBy(() -> f.builder().topics((String[]) null)).hasMessage("topics");
        assertThatThrownBy(() -> f.builder().pollTimeout(null)).hasMessage("timeout");
        assertThatThrownBy(() -> GatedConsumer.builder(null, new StringDeserializer(), new StringDeserializer(), breaker))
                .hasMessage("properties");
    }

    @Test
    void consumerPropertiesNeedAGroupAndNoAutoCommit() {
        assertThatThrownBy(() -> GatedConsumer.builder(Map.of("bootstrap.servers", "127.0.0.1:9", "enable.auto.commit", "true"),
                new StringDeserializer(), new StringDeserializer(), breaker).topics("orders").recordHandler(r -> { }).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid gated consumer 'orders-db': consumer property group.id is required: the loop commits what "
                        + "it handled for its group; consumer property enable.auto.commit must be false (the loop commits only "
                        + "what it handled), but was true");
    }

    @Test
    void anUnresolvableBootstrapServerFailsAsKafkaSaysWithNothingLeftOpen() {
        assertThatThrownBy(() -> GatedConsumer.builder(Map.of("bootstrap.servers", "no-such-host.invalid:9092",
                        "group.id", "g"), new StringDeserializer(), new StringDeserializer(), breaker)
                .topics("orders").recordHandler(r -> { }).build())
                .isInstanceOf(org.apache.kafka.common.KafkaException.class)
                .hasRootCauseInstanceOf(ConfigException.class)
                .rootCause().hasMessageContaining("No resolvable bootstrap urls given in bootstrap.servers");
    }

    @Test
    void aMissingBootstrapServerFailsAsKafkaSays() {
        assertThatThrownBy(() -> GatedConsumer.builder(Map.of("group.id", "g"), new StringDeserializer(),
                new StringDeserializer(), breaker).topics("orders").recordHandler(r -> { }).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Missing required configuration \"bootstrap.servers\" which has no default value");
    }

    @Test
    void propertiesMakeAKafkaConsumerWithAutoCommitOff() {
        GatedConsumer<String, String> gated = GatedConsumer.builder(Map.of("bootstrap.servers", "127.0.0.1:9",
                "group.id", "g"), new StringDeserializer(), new StringDeserializer(), breaker)
                .topics("orders").recordHandler(r -> { }).name("orders-writer").build();

        assertThat(gated.name()).isEqualTo("orders-writer");
        assertThat(gated.stats().state()).isEqualTo(ConsumerStats.State.NEW);
        assertThat(gated.close(Duration.ofSeconds(5))).isTrue();
    }
}
