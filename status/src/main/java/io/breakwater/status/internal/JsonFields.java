package io.breakwater.status.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.breaker.CircuitBreakerState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Strict reading of one JSON record of a Breakwater topic: every problem is an {@link IllegalArgumentException}
 * whose message starts with {@code "malformed <what>: "} and names the field, so readers can skip and count it.
 */
public final class JsonFields {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String what;
    private final JsonNode json;

    private JsonFields(String what, JsonNode json) {
        this.what = what;
        this.json = json;
    }

    /** The JSON object in {@code bytes}; {@code what} ("status event", "control command") names the record in errors. */
    public static JsonFields parse(String what, byte[] bytes) {
        if (bytes == null) {
            throw new IllegalArgumentException("malformed " + what + ": no value");
        }
        JsonNode json;
        try {
            json = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed " + what + ": not JSON (" + e.getOriginalMessage() + "): "
                    + preview(bytes), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed " + what + ": unreadable: " + preview(bytes), e);
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("malformed " + what + ": not a JSON object: " + preview(bytes));
        }
        return new JsonFields(what, json);
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A failure of this record: {@code "malformed <what>: <problem>"}. */
    public IllegalArgumentException malformed(String problem) {
        return new IllegalArgumentException("malformed " + what + ": " + problem);
    }

    public boolean has(String name) {
        JsonNode node = json.get(name);
        return node != null && !node.isNull();
    }

    private JsonNode field(String name) {
        JsonNode node = json.get(name);
        if (node == null || node.isNull()) {
            throw malformed("missing '" + name + "'");
        }
        return node;
    }

    public String text(String name) {
        JsonNode node = field(name);
        if (!node.isTextual()) {
            throw malformed("'" + name + "' must be a string, but was " + node);
        }
        return node.asText();
    }

    /** A string that must not be blank. */
    public String name(String name) {
        String value = text(name);
        if (value.isBlank()) {
            throw malformed("'" + name + "' must not be blank");
        }
        return value;
    }

    public String optionalText(String name) {
        return has(name) ? text(name) : null;
    }

    private JsonNode number(String name) {
        JsonNode node = field(name);
        if (!node.isNumber()) {
            throw malformed("'" + name + "' must be a number, but was " + node);
        }
        return node;
    }

    public int integer(String name) {
        JsonNode node = number(name);
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw malformed("'" + name + "' must be an integer, but was " + node);
        }
        return node.asInt();
    }

    /** An integral number of at least {@code min}. */
    public long longAtLeast(String name, long min) {
        JsonNode node = number(name);
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min) {
            throw malformed("'" + name + "' must be an integer >= " + min + ", but was " + node);
        }
        return node.asLong();
    }

    public long longValue(String name) {
        return number(name).asLong();
    }

    public double rate(String name) {
        double v = number(name).asDouble();
        if (!(v >= 0.0 && v <= 1.0)) {
            throw malformed("'" + name + "' must be in [0, 1], but was " + v);
        }
        return v;
    }

    public CircuitBreakerState state(String name) {
        String value = text(name);
        try {
            return CircuitBreakerState.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw malformed("'" + name + "' must be a breaker state, but was '" + value + "'");
        }
    }

    public Instant instant(String name) {
        String value = text(name);
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw malformed("'" + name + "' must be an ISO-8601 UTC time, but was '" + value + "'");
        }
    }

    public Instant optionalInstant(String name) {
        return has(name) ? instant(name) : null;
    }

    private static String preview(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 80), StandardCharsets.UTF_8);
        return "'" + text.replaceAll("\\p{Cntrl}", "?") + (bytes.length > 80 ? "…'" : "'");
    }
}
