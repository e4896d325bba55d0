package io.breakwater.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.breakwater.status.internal.JsonFields;
import java.io.UncheckedIOException;

/**
 * {@link ControlCommand} to JSON and back, as documented by {@code control-command.schema.json}. Reading is strict: a
 * record that is not a command fails with an {@link IllegalArgumentException} starting {@code "malformed control
 * command: "} that says what is wrong, so followers can skip and count it. Stateless and thread-safe.
 */
public final class ControlCommandCodec {

    private static final String WHAT = "control command";

    private ControlCommandCodec() {
    }

    /** UTF-8 JSON, fields in schema order. */
    public static byte[] encode(ControlCommand c) {
        ObjectNode json = JsonFields.mapper().createObjectNode()
                .put("schema", c.schema())
                .put("id", c.id())
                .put("action", c.action().label())
                .put("breaker", c.breaker())
                .put("instance", c.instance())
                .put("by", c.by())
                .put("issuedAt", c.issuedAt().toString())
                .put("expiresAt", c.expiresAt() == null ? null : c.expiresAt().toString());
        try {
            return JsonFields.mapper().writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("could not write a control command", e);
        }
    }

    /** Reads one command. */
    public static ControlCommand decode(byte[] bytes) {
        JsonFields json = JsonFields.parse(WHAT, bytes);
        int schema = json.integer("schema");
        if (schema != ControlCommand.SCHEMA) {
            throw json.malformed("schema " + schema + " is not supported (only " + ControlCommand.SCHEMA + ")");
        }
        try {
            return new ControlCommand(schema, json.text("id"), ControlCommand.Action.ofLabel(json.text("action")),
                    json.text("breaker"), json.optionalText("instance"), json.text("by"), json.instant("issuedAt"),
                    json.optionalInstant("expiresAt"));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("malformed ") ? e : json.malformed(e.getMessage());
        }
    }
}
