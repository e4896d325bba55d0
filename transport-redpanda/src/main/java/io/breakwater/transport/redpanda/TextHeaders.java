package io.breakwater.transport.redpanda;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;

/** Text headers as Kafka headers: values in UTF-8, a null value kept null. */
final class TextHeaders {

    private TextHeaders() {
    }

    /** @throws IllegalArgumentException when a header name is null or empty */
    static List<Header> of(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return List.of();
        }
        List<Header> list = new ArrayList<>(headers.size());
        headers.forEach((name, text) -> {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("header names must not be null or empty, but the headers were " + headers.keySet());
            }
            list.add(new TextHeader(name, text == null ? null : text.getBytes(StandardCharsets.UTF_8)));
        });
        return list;
    }

    private record TextHeader(String key, byte[] value) implements Header {
    }
}
