package io.breakwater.spill;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One event held in a spill: what would have gone to Kafka, and where it stands in its stream.
 *
 * <p>The constructor checks every field and throws {@link NullPointerException} (naming the field) or
 * {@link IllegalArgumentException} (naming the field, the rule and the value) for a bad one. The headers are
 * copied into an unmodifiable map that keeps their order; the payload array is not copied, so do not change it
 * once the event is built. {@link #equals} compares payloads by content; {@link #toString} shows the payload's
 * length and the header names, never their contents.
 *
 * @param sequence        assigned by the store on {@link SpillStore#append}; 0 before (a store ignores the
 *                        sequence of the events it is given). Never reused by a store
 * @param eventId         unique among the events of a store (a UUID as text); not blank
 * @param stream          the EventBus stream the event belongs to; not blank
 * @param topic           the Kafka topic it goes to; not blank
 * @param key             the record key, or null
 * @param payload         the record value; not null
 * @param headers         the record headers; not null, names not null, values may be null
 * @param order           the publisher's ordering number within the stream: replay goes by it, lowest first
 * @param spilledAtMillis when the event was spilled, in milliseconds since the epoch; {@code >= 0}
 */
public record SpilledEvent(long sequence, String eventId, String stream, String topic, String key,
                           byte[] payload, Map<String, String> headers, long order, long spilledAtMillis) {

    /** Checks every field, as described in the class comment, and copies the headers. */
    public SpilledEvent {
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, but was " + sequence);
        }
        requireText(eventId, "eventId");
        requireText(stream, "stream");
        requireText(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        headers = copyOf(headers);
        if (spilledAtMillis < 0) {
            throw new IllegalArgumentException("spilledAtMillis must be >= 0, but was " + spilledAtMillis);
        }
    }

    /** A new event, not yet appended (sequence 0), with a random UUID as its {@link #eventId()}. */
    public static SpilledEvent of(String stream, String topic, String key, byte[] payload, Map<String, String> headers,
                                  long order, long spilledAtMillis) {
        return new SpilledEvent(0, UUID.randomUUID().toString(), stream, topic, key, payload, headers, order,
                spilledAtMillis);
    }

    /** This event with another sequence. */
    public SpilledEvent withSequence(long sequence) {
        return new SpilledEvent(sequence, eventId, stream, topic, key, payload, headers, order, spilledAtMillis);
    }

    /**
     * What the event counts for against {@link SpillStore#maxBytes()}: the payload, plus the key and the
     * header names and values in UTF-8. Not its size on disk, which adds the ids and the store's overhead.
     */
    public long sizeBytes() {
        long size = payload.length + utf8Length(key);
        for (Map.Entry<String, String> header : headers.entrySet()) {
            size += utf8Length(header.getKey()) + utf8Length(header.getValue());
        }
        return size;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SpilledEvent e && sequence == e.sequence && order == e.order
                && spilledAtMillis == e.spilledAtMillis && eventId.equals(e.eventId) && stream.equals(e.stream)
                && topic.equals(e.topic) && Objects.equals(key, e.key) && Arrays.equals(payload, e.payload)
                && headers.equals(e.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequence, eventId, stream, topic, key, Arrays.hashCode(payload), headers, order,
                spilledAtMillis);
    }

    @Override
    public String toString() {
        return "SpilledEvent[sequence=" + sequence + ", eventId=" + eventId + ", stream=" + stream + ", topic=" + topic
                + ", key=" + (key == null ? "null" : "(" + key.length() + " chars)") + ", payload=(" + payload.length
                + " bytes), headers=" + headers.keySet() + ", order=" + order + ", spilledAtMillis=" + spilledAtMillis
                + "]";
    }

    private static void requireText(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, but was '" + value + "'");
        }
    }

    private static Map<String, String> copyOf(Map<String, String> headers) {
        Objects.requireNonNull(headers, "headers");
        Map<String, String> copy = new LinkedHashMap<>(headers);
        if (copy.containsKey(null)) {
            throw new NullPointerException("headers has a null name");
        }
        return Collections.unmodifiableMap(copy);
    }

    // The length of text in UTF-8, as String.getBytes(UTF_8) encodes it (a lone surrogate becomes '?').
    static long utf8Length(String text) {
        if (text == null) {
            return 0;
        }
        long length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                length += 4;
                i++;
            } else {
                length += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        return length;
    }
}
