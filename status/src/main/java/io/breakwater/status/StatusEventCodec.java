package io.breakwater.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.Throwables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@link StatusEvent} to JSON and back. Writing masks secrets in {@code reason} and {@code lastError} once
 * more (they may come from any breaker); reading is strict: a record that is not a schema-1 event fails
 * with an {@link IllegalArgumentException} that says what is wrong, so readers can skip and count it.
 */
public final class StatusEventCodec {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StatusEventCodec() {
    }

    /** UTF-8 JSON, fields in schema order. */
    public static byte[] encode(StatusEvent e) {
        ObjectNode json = MAPPER.createObjectNode()
                .put("schema", e.schema())
                .put("breaker", e.breaker())
                .put("instance", e.instance())
                .put("from", e.from().name())
                .put("to", e.to().name())
                .put("at", e.at().toString())
                .put("reason", Throwables.sanitize(e.reason()))
                .put("failureRate", e.failureRate())
                .put("slowCallRate", e.slowCallRate())
                .put("failureCount", e.failureCount())
                .put("successCount", e.successCount());
        if (e.lastError() == null) {
            json.putNull("lastError");
        } else {
            json.put("lastError", Throwables.sanitize(e.lastError()));
        }
        json.put("sequence", e.sequence());
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException("could not write a status event", ex);
        }
    }

    /** Reads one event. */
    public static StatusEvent decode(byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("malformed status event: no value");
        }
        JsonNode json;
        try {
            json = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed status event: not JSON ("
                    + e.getOriginalMessage() + "): " + preview(bytes), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed status event: unreadable: " + preview(bytes), e);
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("malformed status event: not a JSON object: " + preview(bytes));
        }
        int schema = integer(json, "schema");
        if (schema != StatusEvent.SCHEMA) {
            throw new IllegalArgumentException("malformed status event: schema " + schema + " is not supported (only "
                    + StatusEvent.SCHEMA + ")");
        }
        return new StatusEvent(schema, text(json, "breaker"), text(json, "instance"), state(json, "from"),
                state(json, "to"), instant(json, "at"), text(json, "reason"), rate(json, "failureRate"),
                rate(json, "slowCallRate"), integer(json, "failureCount"), integer(json, "successCount"),
                optionalText(json, "lastError"), number(json, "sequence").asLong());
    }

    private static JsonNode field(JsonNode json, String name) {
        JsonNode node = json.get(name);
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException("malformed status event: missing '" + name + "'");
        }
        return node;
    }

    private static String text(JsonNode json, String name) {
        JsonNode node = field(json, name);
        if (!node.isTextual()) {
            throw new IllegalArgumentException("malformed status event: '" + name + "' must be a string, but was " + node);
        }
        return node.asText();
    }

    private static String optionalText(JsonNode json, String name) {
        JsonNode node = json.get(name);
        return node == null || node.isNull() ? null : text(json, name);
    }

    private static JsonNode number(JsonNode json, String name) {
        JsonNode node = field(json, name);
        if (!node.isNumber()) {
            throw new IllegalArgumentException("malformed status event: '" + name + "' must be a number, but was " + node);
        }
        return node;
    }

    private static int integer(JsonNode json, String name) {
        JsonNode node = number(json, name);
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new IllegalArgumentException("malformed status event: '" + name + "' must be an integer, but was " + node);
        }
        return node.asInt();
    }

    private static double rate(JsonNode json, String name) {
        double v = number(json, name).asDouble();
        if (!(v >= 0.0 && v <= 1.0)) {
            throw new IllegalArgumentException("malformed status event: '" + name + "' must be in [0, 1], but was " + v);
        }
        return v;
    }

    private static CircuitBreakerState state(JsonNode json, String name) {
        String value = text(json, name);
        try {
            return CircuitBreakerState.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed status event: '" + name + "' must be a breaker state, but was '"
                    + value + "'");
        }
    }

    private static Instant instant(JsonNode json, String name) {
        String value = text(json, name);
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("malformed status event: '" + name + "' must be an ISO-8601 UTC time, but was '"
                    + value + "'");
        }
    }

    private static String preview(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 80), StandardCharsets.UTF_8);
        return "'" + text.replaceAll("\\p{Cntrl}", "?") + (bytes.length > 80 ? "…'" : "'");
    }
}
