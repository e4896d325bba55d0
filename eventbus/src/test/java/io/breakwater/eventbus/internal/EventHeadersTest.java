package io.breakwater.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class EventHeadersTest {

    private final EventHeaders headers = new EventHeaders("application/json", "event-id");

    private static List<String> asText(List<Header> kafka) {
        return kafka.stream().map(h -> h.key() + "=" + (h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8)))
                .toList();
    }

    private static byte[] id(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void withoutTheCallersHeadersAnEventCarriesItsContentTypeThenItsId() {
        assertThat(asText(headers.kafka(null, id("abc-1")))).containsExactly("content-type=application/json", "event-id=abc-1");
        assertThat(headers.text(null, "abc-1")).containsExactly(Map.entry("content-type", "application/json"),
                Map.entry("event-id", "abc-1"));
        assertThat(headers.text(Map.of(), "abc-1")).isEqualTo(headers.text(null, "abc-1"));
    }

    @Test
    void theCallersContentTypeReplacesTheCodecsAndTheIdReplacesACallersHeaderOfItsName() {
        Map<String, String> callers = new LinkedHashMap<>();
        callers.put("trace", "t1");
        callers.put("content-type", "text/plain");
        callers.put("event-id", "forged");
        callers.put("empty", null);

        Map<String, String> text = headers.text(callers, "abc-2");

        assertThat(text).containsExactly(Map.entry("content-type", "text/plain"), Map.entry("trace", "t1"),
                Map.entry("event-id", "abc-2"), new java.util.AbstractMap.SimpleEntry<>("empty", null));
        assertThat(asText(headers.kafka(text, id("abc-2"))))
                .containsExactly("content-type=text/plain", "trace=t1", "event-id=abc-2", "empty=null");
    }

    @Test
    void theTextIsACopyThatTheCallerCannotChangeAfterwards() {
        Map<String, String> callers = new LinkedHashMap<>(Map.of("trace", "t1"));
        Map<String, String> text = headers.text(callers, "abc-3");
        callers.put("trace", "changed");
        assertThat(text).containsEntry("trace", "t1");
    }

    @Test
    void aHeaderWithoutANameIsRefusedNamingTheHeaders() {
        Map<String, String> callers = new LinkedHashMap<>();
        callers.put("", "x");
        assertThatThrownBy(() -> headers.kafka(headers.text(callers, "abc-4"), id("abc-4")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header names must not be null or empty");
    }
}
