package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.breaker.CircuitBreakerState;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StatusEventCodecTest {

    private static final StatusEvent EVENT = new StatusEvent(1, "orders-producer", "trader-7", CircuitBreakerState.CLOSED,
            CircuitBreakerState.OPEN, Instant.parse("2026-11-29T10:15:30.123Z"), "5 consecutive failure(s)", 1.0, 0.0, 5, 0,
            "org.apache.kafka.common.errors.TimeoutException: Expiring 3 record(s)", 4);

    @Test
    void roundTrips() {
        assertThat(StatusEventCodec.decode(StatusEventCodec.encode(EVENT))).isEqualTo(EVENT);
        assertThat(EVENT.key()).isEqualTo("trader-7/orders-producer");
    }

    @Test
    void writesTheDocumentedJson() throws Exception {
        JsonNode json = new ObjectMapper().readTree(StatusEventCodec.encode(EVENT));
        assertThat(json.get("at").asText()).isEqualTo("2026-11-29T10:15:30.123Z");
        assertThat(json.get("to").asText()).isEqualTo("OPEN");
        assertThat(json.get("schema").asInt()).isEqualTo(1);
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        JsonNode schema;
        try (InputStream in = StatusEvent.class.getResourceAsStream("status-event.schema.json")) {
            schema = new ObjectMapper().readTree(in);
        }
        List<String> required = new ArrayList<>();
        schema.get("required").forEach(n -> required.add(n.asText()));
        List<String> documented = new ArrayList<>();
        schema.get("properties").fieldNames().forEachRemaining(documented::add);
        assertThat(fields).as("every field written is required and documented, in order")
                .containsExactlyElementsOf(required).containsExactlyElementsOf(documented);
    }

    @Test
    void masksSecretsOnTheWayOut() {
        StatusEvent leaky = new StatusEvent(1, "b", "i", CircuitBreakerState.CLOSED, CircuitBreakerState.OPEN, Instant.EPOCH,
                "auth failed", 1, 0, 1, 0, "SaslAuthenticationException: bad sasl.jaas.config=secret-value", 1);
        String json = new String(StatusEventCodec.encode(leaky), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("secret-value").contains("****");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json at all",
        "[1,2,3]",
        "{\"schema\":2}",
        "{\"schema\":1,\"breaker\":\"b\"}",
        "{\"schema\":1,\"breaker\":\"b\",\"instance\":\"i\",\"from\":\"SIDEWAYS\",\"to\":\"OPEN\",\"at\":\"2026-01-01T00:00:00Z\","
                + "\"reason\":\"r\",\"failureRate\":0,\"slowCallRate\":0,\"failureCount\":0,\"successCount\":0,\"sequence\":1}",
        "{\"schema\":1,\"breaker\":\"b\",\"instance\":\"i\",\"from\":\"CLOSED\",\"to\":\"OPEN\",\"at\":\"yesterday\","
                + "\"reason\":\"r\",\"failureRate\":0,\"slowCallRate\":0,\"failureCount\":0,\"successCount\":0,\"sequence\":1}",
        "{\"schema\":1,\"breaker\":\"b\",\"instance\":\"i\",\"from\":\"CLOSED\",\"to\":\"OPEN\",\"at\":\"2026-01-01T00:00:00Z\","
                + "\"reason\":\"r\",\"failureRate\":7,\"slowCallRate\":0,\"failureCount\":0,\"successCount\":0,\"sequence\":1}"
    })
    void refusesGarbageSayingWhatIsWrong(String garbage) {
        assertThatThrownBy(() -> StatusEventCodec.decode(garbage.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("malformed status event:");
    }
}
