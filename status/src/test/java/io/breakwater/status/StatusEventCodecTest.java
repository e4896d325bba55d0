package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.breaker.CircuitBreakerState;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StatusEventCodecTest {

    private static final Instant AT = Instant.parse("2026-11-29T10:15:30.123Z");
    private static final StatusEvent V1 = new StatusEvent(1, "orders-producer", "trader-7", CircuitBreakerState.CLOSED,
            CircuitBreakerState.OPEN, AT, "5 consecutive failure(s)", 1.0, 0.0, 5, 0,
            "org.apache.kafka.common.errors.TimeoutException: Expiring 3 record(s)", 4);
    private static final StatusEvent TRANSITION = new StatusEvent(StatusEvent.SCHEMA, StatusEvent.Kind.TRANSITION,
            "orders-producer", "trader-7", CircuitBreakerState.CLOSED, CircuitBreakerState.OPEN, AT, AT,
            "5 consecutive failure(s)", 1.0, 0.0, 5, 0, null, 4);
    private static final StatusEvent STARTED = new StatusEvent(StatusEvent.SCHEMA, StatusEvent.Kind.STARTED,
            "orders-producer", "trader-7", CircuitBreakerState.FORCED_OPEN, CircuitBreakerState.FORCED_OPEN, AT,
            AT.minusSeconds(600), "started", 0, 0, 0, 0, null, 0);
    private static final InstanceEvent HEARTBEAT = new InstanceEvent(StatusEvent.SCHEMA, InstanceEvent.Kind.HEARTBEAT,
            "trader-7", AT, AT.minusSeconds(3600), Duration.ofSeconds(30), 120);

    /** A record as Breakwater before the fleet view wrote it (schema 1), byte for byte. */
    private static final String WRITTEN_BY_SCHEMA_1 = "{\"schema\":1,\"breaker\":\"orders-producer\",\"instance\":\"trader-7\","
            + "\"from\":\"CLOSED\",\"to\":\"OPEN\",\"at\":\"2026-11-29T10:15:30.123Z\",\"reason\":\"5 consecutive failure(s)\","
            + "\"failureRate\":1.0,\"slowCallRate\":0.0,\"failureCount\":5,\"successCount\":0,\"lastError\":null,\"sequence\":1}";

    @Test
    void roundTripsEveryKind() {
        for (StatusMessage m : List.of(V1, TRANSITION, STARTED,
                StatusEvent.of("trader-7", StatusEvent.Kind.STOPPED, io.breakwater.breaker.CircuitBreaker.ofDefaults("x")
                        .snapshot(), AT, 3),
                HEARTBEAT, new InstanceEvent(2, InstanceEvent.Kind.STOPPED, "trader-7", AT, AT, Duration.ofSeconds(5), 9))) {
            assertThat(StatusEventCodec.decodeMessage(StatusEventCodec.encode(m))).as(m.toString()).isEqualTo(m);
        }
        assertThat(TRANSITION.key()).isEqualTo("trader-7/orders-producer");
        assertThat(HEARTBEAT.key()).isEqualTo("trader-7");
    }

    @Test
    void readsARecordOfSchemaOneAsATransition() {
        StatusEvent read = StatusEventCodec.decode(WRITTEN_BY_SCHEMA_1.getBytes(StandardCharsets.UTF_8));
        assertThat(read.schema()).isEqualTo(1);
        assertThat(read.kind()).isEqualTo(StatusEvent.Kind.TRANSITION);
        assertThat(read.to()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(read.since()).as("a transition's state starts when it happens").isEqualTo(read.at());
        assertThat(new String(StatusEventCodec.encode(read), StandardCharsets.UTF_8)).as("and writes it back as it was")
                .isEqualTo(WRITTEN_BY_SCHEMA_1);
    }

    @Test
    void readsARecordOfSchemaTwo() {
        String json = "{\"schema\":2,\"kind\":\"started\",\"breaker\":\"b\",\"instance\":\"i\",\"from\":\"OPEN\",\"to\":\"OPEN\","
                + "\"at\":\"2026-11-29T10:15:30Z\",\"since\":\"2026-11-29T10:00:00Z\",\"reason\":\"started\",\"failureRate\":0.5,"
                + "\"slowCallRate\":0,\"failureCount\":5,\"successCount\":5,\"lastError\":null,\"sequence\":0}";
        StatusEvent read = StatusEventCodec.decode(json.getBytes(StandardCharsets.UTF_8));
        assertThat(read.kind()).isEqualTo(StatusEvent.Kind.STARTED);
        assertThat(read.since()).isEqualTo(Instant.parse("2026-11-29T10:00:00Z"));
        String heartbeat = "{\"schema\":2,\"kind\":\"heartbeat\",\"instance\":\"i\",\"at\":\"2026-11-29T10:15:30Z\","
                + "\"startedAt\":\"2026-11-29T09:00:00Z\",\"intervalMs\":30000,\"sequence\":4}";
        assertThat(StatusEventCodec.decodeMessage(heartbeat.getBytes(StandardCharsets.UTF_8))).isInstanceOfSatisfying(
                InstanceEvent.class, h -> assertThat(h.interval()).isEqualTo(Duration.ofSeconds(30)));
        assertThatThrownBy(() -> StatusEventCodec.decode(heartbeat.getBytes(StandardCharsets.UTF_8)))
                .hasMessage("malformed status event: an instance event (HEARTBEAT), not a breaker event");
    }

    @Test
    void writesTheDocumentedJsonForEachKind() throws Exception {
        JsonNode schema;
        try (InputStream in = StatusEvent.class.getResourceAsStream("status-event.schema.json")) {
            schema = new ObjectMapper().readTree(in);
        }
        assertThat(schema.get("$id").asText()).endsWith("/2.json");
        assertDocumented(V1, schema.at("/$defs/transitionV1"), 1);
        assertDocumented(TRANSITION, schema.at("/$defs/breakerEvent"), 2);
        assertDocumented(STARTED, schema.at("/$defs/breakerEvent"), 2);
        assertDocumented(HEARTBEAT, schema.at("/$defs/instanceEvent"), 2);
        JsonNode started = new ObjectMapper().readTree(StatusEventCodec.encode(STARTED));
        assertThat(started.get("kind").asText()).isEqualTo("started");
        assertThat(started.get("since").asText()).isEqualTo("2026-11-29T10:05:30.123Z");
        assertThat(schema.at("/$defs/breakerEvent/properties/kind/enum").toString()).contains("\"started\"");
    }

    private static void assertDocumented(StatusMessage message, JsonNode def, int schema) throws Exception {
        JsonNode json = new ObjectMapper().readTree(StatusEventCodec.encode(message));
        assertThat(json.get("schema").asInt()).isEqualTo(schema);
        assertThat(def.at("/properties/schema/const").asInt()).isEqualTo(schema);
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        List<String> required = new ArrayList<>();
        def.get("required").forEach(n -> required.add(n.asText()));
        List<String> documented = new ArrayList<>();
        def.get("properties").fieldNames().forEachRemaining(documented::add);
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
        "{\"schema\":3}",
        "{\"schema\":1,\"breaker\":\"b\"}",
        "{\"schema\":2,\"breaker\":\"b\"}",
        "{\"schema\":2,\"kind\":\"exploded\",\"instance\":\"i\"}",
        "{\"schema\":2,\"kind\":\"transition\",\"breaker\":\"b\",\"instance\":\"i\",\"from\":\"CLOSED\",\"to\":\"OPEN\","
                + "\"at\":\"2026-01-01T00:00:00Z\",\"reason\":\"r\",\"failureRate\":0,\"slowCallRate\":0,\"failureCount\":0,"
                + "\"successCount\":0,\"sequence\":1}",
        "{\"schema\":2,\"kind\":\"heartbeat\",\"instance\":\"i\",\"at\":\"2026-01-01T00:00:00Z\","
                + "\"startedAt\":\"2026-01-01T00:00:00Z\",\"intervalMs\":0,\"sequence\":1}",
        "{\"schema\":2,\"kind\":\"heartbeat\",\"instance\":\" \",\"at\":\"2026-01-01T00:00:00Z\","
                + "\"startedAt\":\"2026-01-01T00:00:00Z\",\"intervalMs\":10,\"sequence\":1}",
        "{\"schema\":1,\"breaker\":\"b\",\"instance\":\"i\",\"from\":\"SIDEWAYS\",\"to\":\"OPEN\",\"at\":\"2026-01-01T00:00:00Z\","
                + "\"reason\":\"r\",\"failureRate\":0,\"slowCallRate\":0,\"failureCount\":0,\"successCount\":0,\"sequence\":1}",
        "{\"schema\":1,\"breaker\":\"b\",\"instance\":\"i\",\"from\":\"CLOSED\",\"to\":\"OPEN\",\"at\":\"yesterday\","
                + "\"reason\":\"r\",\"failureRate\":0,\"slowCallRate\":0,\"failureCount\":0,\"successCount\":0,\"sequence\":1}",
        "{\"schema\":1,\"breaker\":\"b\",\"instance\":\"i\",\"from\":\"CLOSED\",\"to\":\"OPEN\",\"at\":\"2026-01-01T00:00:00Z\","
                + "\"reason\":\"r\",\"failureRate\":7,\"slowCallRate\":0,\"failureCount\":0,\"successCount\":0,\"sequence\":1}"
    })
    void refusesGarbageSayingWhatIsWrong(String garbage) {
        assertThatThrownBy(() -> StatusEventCodec.decodeMessage(garbage.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("malformed status event:");
    }

    @Test
    void theProblemIsNamed() {
        assertThatThrownBy(() -> StatusEventCodec.decodeMessage("{\"schema\":3}".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("malformed status event: schema 3 is not supported (only 1 and 2)");
        assertThatThrownBy(() -> StatusEventCodec.decodeMessage("{\"schema\":2,\"kind\":\"exploded\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("malformed status event: 'kind' must be transition, started, stopped, heartbeat or instance-stopped, "
                        + "but was 'exploded'");
    }
}
