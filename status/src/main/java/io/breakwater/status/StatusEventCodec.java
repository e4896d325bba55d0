package io.breakwater.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.breakwater.breaker.Throwables;
import io.breakwater.status.internal.JsonFields;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;

/**
 * Status records to JSON and back. Writing masks secrets in {@code reason} and {@code lastError} once more (they
 * may come from any breaker). Reading accepts schema 1 (transitions, as older writers publish them) and schema 2
 * (transitions, started and stopped breakers, heartbeats and stopped instances), and is strict: a record that is
 * neither fails with an {@link IllegalArgumentException} that says what is wrong, so readers can skip and count it.
 * Stateless and thread-safe.
 */
public final class StatusEventCodec {

    private static final String WHAT = "status event";

    private StatusEventCodec() {
    }

    /** UTF-8 JSON, fields in schema order, in the layout of the message's own schema. */
    public static byte[] encode(StatusMessage message) {
        ObjectNode json = JsonFields.mapper().createObjectNode().put("schema", message.schema());
        if (message instanceof StatusEvent e) {
            if (e.schema() > 1) {
                json.put("kind", e.kind().name().toLowerCase(Locale.ROOT));
            }
            json.put("breaker", e.breaker()).put("instance", e.instance()).put("from", e.from().name())
                    .put("to", e.to().name()).put("at", e.at().toString());
            if (e.schema() > 1) {
                json.put("since", e.since().toString());
            }
            json.put("reason", Throwables.sanitize(e.reason()))
                    .put("failureRate", e.failureRate())
                    .put("slowCallRate", e.slowCallRate())
                    .put("failureCount", e.failureCount())
                    .put("successCount", e.successCount());
            if (e.lastError() == null) {
                json.putNull("lastError");
            } else {
                json.put("lastError", Throwables.sanitize(e.lastError()));
            }
        } else if (message instanceof InstanceEvent i) {
            json.put("kind", i.kind() == InstanceEvent.Kind.HEARTBEAT ? "heartbeat" : "instance-stopped")
                    .put("instance", i.instance()).put("at", i.at().toString()).put("startedAt", i.startedAt().toString())
                    .put("intervalMs", i.interval().toMillis());
        }
        json.put("sequence", message.sequence());
        try {
            return JsonFields.mapper().writeValueAsBytes(json);
        } catch (JsonProcessingException ex) {
            throw new UncheckedIOException("could not write a status event", ex);
        }
    }

    /** Reads one breaker event (schema 1 or 2); a heartbeat or another instance event is refused, saying so. */
    public static StatusEvent decode(byte[] bytes) {
        StatusMessage message = decodeMessage(bytes);
        if (message instanceof StatusEvent event) {
            return event;
        }
        throw new IllegalArgumentException("malformed status event: an instance event (" + ((InstanceEvent) message).kind()
                + "), not a breaker event");
    }

    /** Reads one record of the status topic: a breaker event or an instance event. */
    public static StatusMessage decodeMessage(byte[] bytes) {
        JsonFields json = JsonFields.parse(WHAT, bytes);
        int schema = json.integer("schema");
        if (schema != 1 && schema != StatusEvent.SCHEMA) {
            throw json.malformed("schema " + schema + " is not supported (only 1 and " + StatusEvent.SCHEMA + ")");
        }
        if (schema == 1) {
            return breakerEvent(json, 1, StatusEvent.Kind.TRANSITION);
        }
        String kind = json.text("kind");
        switch (kind) {
            case "transition":
                return breakerEvent(json, schema, StatusEvent.Kind.TRANSITION);
            case "started":
                return breakerEvent(json, schema, StatusEvent.Kind.STARTED);
            case "stopped":
                return breakerEvent(json, schema, StatusEvent.Kind.STOPPED);
            case "heartbeat":
                return instanceEvent(json, InstanceEvent.Kind.HEARTBEAT);
            case "instance-stopped":
                return instanceEvent(json, InstanceEvent.Kind.STOPPED);
            default:
                throw json.malformed("'kind' must be transition, started, stopped, heartbeat or instance-stopped, but was '"
                        + kind + "'");
        }
    }

    private static StatusEvent breakerEvent(JsonFields json, int schema, StatusEvent.Kind kind) {
        java.time.Instant at = json.instant("at");
        try {
            return new StatusEvent(schema, kind, json.text("breaker"), json.text("instance"), json.state("from"),
                    json.state("to"), at, schema == 1 ? at : json.instant("since"), json.text("reason"),
                    json.rate("failureRate"), json.rate("slowCallRate"), json.integer("failureCount"),
                    json.integer("successCount"), json.optionalText("lastError"), json.longValue("sequence"));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("malformed ") ? e : json.malformed(e.getMessage());
        }
    }

    private static InstanceEvent instanceEvent(JsonFields json, InstanceEvent.Kind kind) {
        try {
            return new InstanceEvent(StatusEvent.SCHEMA, kind, json.name("instance"), json.instant("at"),
                    json.instant("startedAt"), Duration.ofMillis(json.longAtLeast("intervalMs", 1)),
                    json.longAtLeast("sequence", 1));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("malformed ") ? e : json.malformed(e.getMessage());
        }
    }
}
