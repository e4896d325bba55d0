package io.breakwater.eventbus.internal;

import io.breakwater.transport.redpanda.RedpandaTransport;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;

/**
 * The headers of an event: the codec's content type, the caller's headers (a caller's {@code content-type} in place
 * of the codec's), and the event's id (whatever header of that name the caller gave). As Kafka headers for the send,
 * made without a map when the caller gave none (the content-type header is made once); as text for the spill, made
 * only when an event goes there.
 */
public final class EventHeaders {

    private final String idHeader;
    private final Map<String, String> contentType;
    private final Header contentTypeHeader;

    public EventHeaders(String contentType, String idHeader) {
        this.idHeader = idHeader;
        this.contentType = Map.of("content-type", contentType);
        this.contentTypeHeader = new Text("content-type", contentType.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The event's headers as Kafka's: {@code text}, from {@link #text}, or, when the caller gave no headers (null), the
     * content type and the id ({@code id}: the bytes of its text, from {@link EventIds#next()}), made without a map.
     */
    public List<Header> kafka(Map<String, String> text, byte[] id) {
        if (text == null) {
            return List.of(contentTypeHeader, new Text(idHeader, id));
        }
        return RedpandaTransport.headers(text);
    }

    /** The event's headers as text: the content type, the caller's, then the id. */
    public Map<String, String> text(Map<String, String> headers, String id) {
        Map<String, String> all = new LinkedHashMap<>(contentType);
        if (headers != null) {
            all.putAll(headers);
        }
        all.put(idHeader, id);
        return all;
    }

    /** The headers of an event that goes to the spill: {@code text} when made already (not null), else made now. */
    public Map<String, String> forSpill(Map<String, String> text, String id) {
        return text != null ? text : text(null, id);
    }

    /** A header whose value is text in UTF-8. */
    private record Text(String key, byte[] value) implements Header {
    }
}
