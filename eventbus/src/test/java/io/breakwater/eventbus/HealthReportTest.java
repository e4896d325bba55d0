package io.breakwater.eventbus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.breaker.CircuitBreakerSnapshot;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.transport.redpanda.JsonEventCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HealthReportTest {

    private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");

    private static final CircuitBreakerSnapshot ORDERS = new CircuitBreakerSnapshot("eventbus-orders",
            CircuitBreakerState.CLOSED, Instant.parse("2026-01-01T00:00:00Z"), 1, 4, 1, 0, 0.25, 0.0, "last 20 calls",
            3, 1, 0, 0, 0, Instant.parse("2026-01-01T00:00:05Z"), "java.io.IOException: broken pipe", null);
    private static final CircuitBreakerSnapshot TRANSPORT = new CircuitBreakerSnapshot("redpanda_transport",
            CircuitBreakerState.OPEN, Instant.parse("2026-01-01T00:01:00Z"), 0, 0, 0, 0, 0.0, 0.0, "no window",
            10, 5, 0, 7, 2, Instant.parse("2026-01-01T00:01:00Z"), "org.apache.kafka.common.errors.TimeoutException: t",
            Instant.parse("2026-01-01T00:01:30Z"));
    private static final HealthReport REPORT = new HealthReport(false, List.of("redpanda_transport"), 1,
            Map.of("eventbus-orders", ORDERS, "redpanda_transport", TRANSPORT));

    @Test
    void everyFieldNameAtEveryDepthIsSnakeCase() throws Exception {
        JsonNode json = new ObjectMapper().readTree(REPORT.toJson());
        List<String> names = new ArrayList<>();
        fieldNames(json, "", names);
        assertThat(names).isNotEmpty().allSatisfy(path ->
                assertThat(path.substring(path.lastIndexOf('.') + 1)).as(path).matches(SNAKE_CASE));
        // Breaker names are data, kept as they are: they key circuit_breakers.
        assertThat(listOf(json.get("circuit_breakers").fieldNames())).containsExactlyInAnyOrder("eventbus-orders",
                "redpanda_transport");
    }

    @Test
    void theReportHasTheGuidesKeysAndEachBreakerItsSnapshotInSnakeCase() throws Exception {
        JsonNode json = new ObjectMapper().readTree(REPORT.toJson());
        assertThat(listOf(json.fieldNames())).containsExactlyInAnyOrder("healthy", "open_circuits", "open_circuits_count",
                "circuit_breakers", "spills");
        assertThat(json.get("spills").isEmpty()).as("a bus without a spill").isTrue();
        assertThat(json.get("healthy").asBoolean()).isFalse();
        assertThat(json.get("open_circuits").get(0).asText()).isEqualTo("redpanda_transport");
        assertThat(json.get("open_circuits_count").asInt()).isEqualTo(1);

        JsonNode orders = json.get("circuit_breakers").get("eventbus-orders");
        assertThat(listOf(orders.fieldNames())).containsExactlyInAnyOrder("name", "state", "since",
                "consecutive_failures", "window_calls", "window_failures", "window_slow_calls", "failure_rate",
                "slow_call_rate", "window", "successful_calls", "failed_calls", "slow_calls", "rejected_calls",
                "ignored_calls", "last_failure_at", "last_failure", "next_attempt_at");
        assertThat(orders.get("failure_rate").asDouble()).isEqualTo(0.25);
        assertThat(orders.get("consecutive_failures").asInt()).isEqualTo(1);
        assertThat(orders.get("last_failure_at").asText()).isEqualTo("2026-01-01T00:00:05Z");
        assertThat(orders.get("next_attempt_at").isNull()).isTrue();

        JsonNode transport = json.get("circuit_breakers").get("redpanda_transport");
        assertThat(transport.get("state").asText()).isEqualTo("OPEN");
        assertThat(transport.get("rejected_calls").asLong()).isEqualTo(7);
        assertThat(transport.get("next_attempt_at").asText()).isEqualTo("2026-01-01T00:01:30Z");
    }

    @Test
    void eventsKeepTheCodecsOwnNames() throws Exception {
        JsonNode event = new ObjectMapper().readTree(JsonEventCodec.create().encode(ORDERS));
        assertThat(event.has("failureRate")).isTrue();
        assertThat(event.has("failure_rate")).isFalse();
    }

    private static void fieldNames(JsonNode node, String path, List<String> names) {
        if (node.isArray()) {
            node.forEach(element -> fieldNames(element, path + "[]", names));
        } else if (node.isObject()) {
            boolean breakersByName = path.equals(".circuit_breakers");
            node.fields().forEachRemaining(field -> {
                if (!breakersByName) {
                    names.add(path + "." + field.getKey());
                }
                fieldNames(field.getValue(), path + "." + (breakersByName ? "{breaker}" : field.getKey()), names);
            });
        }
    }

    private static <T> List<T> listOf(Iterator<T> iterator) {
        List<T> list = new ArrayList<>();
        iterator.forEachRemaining(list::add);
        return list;
    }
}
