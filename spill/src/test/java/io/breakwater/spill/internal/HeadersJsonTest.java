package io.breakwater.spill.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The headers' JSON, checked against Jackson as the reference reader and writer of JSON. */
class HeadersJsonTest {

    private static final ObjectMapper JACKSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> MAP = new TypeReference<>() { };

    @Test
    void writesAsciiThatJacksonReadsBackAsTheSameMap() throws Exception {
        Random random = new Random(3);
        for (int i = 0; i < 2_000; i++) {
            Map<String, String> headers = randomHeaders(random);

            String json = HeadersJson.write(headers);

            assertThat(json.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
            assertThat(JACKSON.readValue(json, MAP)).containsExactlyEntriesOf(headers);
            assertThat(HeadersJson.read(json)).containsExactlyEntriesOf(headers);
        }
    }

    @Test
    void readsWhatJacksonWrites() throws Exception {
        Random random = new Random(5);
        for (int i = 0; i < 2_000; i++) {
            Map<String, String> headers = randomHeaders(random);

            assertThat(HeadersJson.read(JACKSON.writeValueAsString(headers))).containsExactlyEntriesOf(headers);
        }
        assertThat(HeadersJson.read(" { \"a\" : \"\\/\\b\\f\\n\\r\\t\\u00e9\" , \"b\":null } "))
                .containsExactly(entry("a", "/\b\f\n\r\té"), entry("b", null));
        assertThat(HeadersJson.read("{}")).isEmpty();
        assertThat(HeadersJson.write(Map.of())).isEqualTo("{}");
    }

    @Test
    void malformedJsonSaysWhere() {
        assertThatThrownBy(() -> HeadersJson.read("")).hasMessage("malformed headers JSON at character 0: expected '{'");
        assertThatThrownBy(() -> HeadersJson.read("{\"a\":1}")).hasMessage("malformed headers JSON at character 5: expected '\"'");
        assertThatThrownBy(() -> HeadersJson.read("{\"a\":\"x}")).hasMessage("malformed headers JSON at character 8: unterminated string");
        assertThatThrownBy(() -> HeadersJson.read("{\"a\":\"\\q\"}")).hasMessage("malformed headers JSON at character 8: bad escape \\q");
        assertThatThrownBy(() -> HeadersJson.read("{\"a\":\"\\u12\"}")).hasMessageContaining("\\u escape");
        assertThatThrownBy(() -> HeadersJson.read("{\"a\":null,\"a\":null}")).hasMessageContaining("header a appears twice");
        assertThatThrownBy(() -> HeadersJson.read("{} x")).hasMessageContaining("text after the object");
        assertThatThrownBy(() -> HeadersJson.read("{\"a\":\"\n\"}")).hasMessageContaining("unescaped control character");
    }

    private static Map<String, String> randomHeaders(Random random) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int n = random.nextInt(5); n > 0; n--) {
            headers.put(randomText(random), random.nextInt(4) == 0 ? null : randomText(random));
        }
        return headers;
    }

    // Any UTF-16 text, lone surrogates aside (JSON text is Unicode; Jackson refuses them, and so would a column).
    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        for (int n = random.nextInt(10); n > 0; n--) {
            int kind = random.nextInt(4);
            int c = kind == 0 ? random.nextInt(0x20) : kind == 1 ? 0x20 + random.nextInt(0x60) : kind == 2
                    ? 0x80 + random.nextInt(0xd800 - 0x80) : 0x10000 + random.nextInt(0x10ffff - 0x10000);
            text.appendCodePoint(c);
        }
        return text.toString();
    }
}
