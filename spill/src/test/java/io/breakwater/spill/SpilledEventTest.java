package io.breakwater.spill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpilledEventTest {

    private static final byte[] PAYLOAD = {1, 2, 3};

    private static SpilledEvent event(long sequence, String eventId, String stream, String topic, byte[] payload,
                                      Map<String, String> headers, long spilledAt) {
        return new SpilledEvent(sequence, eventId, stream, topic, null, payload, headers, 0, spilledAt);
    }

    @Test
    void everyFieldIsCheckedWithAMessageNamingIt() {
        assertThatThrownBy(() -> event(-1, "id", "s", "t", PAYLOAD, Map.of(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sequence must be >= 0, but was -1");
        assertThatThrownBy(() -> event(0, null, "s", "t", PAYLOAD, Map.of(), 0))
                .isInstanceOf(NullPointerException.class).hasMessage("eventId");
        assertThatThrownBy(() -> event(0, "", "s", "t", PAYLOAD, Map.of(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("eventId must not be blank, but was ''");
        assertThatThrownBy(() -> event(0, "id", " ", "t", PAYLOAD, Map.of(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("stream must not be blank, but was ' '");
        assertThatThrownBy(() -> event(0, "id", null, "t", PAYLOAD, Map.of(), 0))
                .isInstanceOf(NullPointerException.class).hasMessage("stream");
        assertThatThrownBy(() -> event(0, "id", "s", "", PAYLOAD, Map.of(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("topic must not be blank, but was ''");
        assertThatThrownBy(() -> event(0, "id", "s", "t", null, Map.of(), 0))
                .isInstanceOf(NullPointerException.class).hasMessage("payload");
        assertThatThrownBy(() -> event(0, "id", "s", "t", PAYLOAD, null, 0))
                .isInstanceOf(NullPointerException.class).hasMessage("headers");
        Map<String, String> nullName = new HashMap<>();
        nullName.put(null, "v");
        assertThatThrownBy(() -> event(0, "id", "s", "t", PAYLOAD, nullName, 0))
                .isInstanceOf(NullPointerException.class).hasMessage("headers has a null name");
        assertThatThrownBy(() -> event(0, "id", "s", "t", PAYLOAD, Map.of(), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("spilledAtMillis must be >= 0, but was -1");
    }

    @Test
    void headersAreCopiedUnmodifiableInOrderAndMayHoldNulls() {
        Map<String, String> given = new LinkedHashMap<>();
        given.put("z", null);
        given.put("a", "1");
        SpilledEvent event = event(0, "id", "s", "t", PAYLOAD, given, 0);
        given.put("later", "x");

        assertThat(event.headers()).containsExactly(entry("z", null), entry("a", "1")).doesNotContainKey("later");
        assertThatThrownBy(() -> event.headers().put("b", "2")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void sizeBytesCountsPayloadKeyAndHeadersInUtf8() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("é", "😀");
        headers.put("n", null);
        SpilledEvent event = new SpilledEvent(0, "id", "s", "t", "kéy", new byte[10], headers, 0, 0);

        assertThat(event.sizeBytes()).isEqualTo(10 + 4 + 2 + 4 + 1);
    }

    @Test
    void utf8LengthAgreesWithTheJdkOnRandomText() {
        Random random = new Random(11);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int c = random.nextInt(12); c > 0; c--) {
                text.append((char) (random.nextBoolean() ? random.nextInt(0x800) : random.nextInt(0x10000)));
            }
            String s = text.toString();
            assertThat(SpilledEvent.utf8Length(s)).as("%s", s.chars().mapToObj(Integer::toHexString).toList())
                    .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void withSequenceKeepsEverythingElse() {
        SpilledEvent event = SpilledEvent.of("s", "t", "k", PAYLOAD, Map.of("h", "v"), 7, 9);

        SpilledEvent stored = event.withSequence(42);

        assertThat(event.sequence()).isZero();
        assertThat(stored.sequence()).isEqualTo(42);
        assertThat(stored.withSequence(0)).isEqualTo(event);
        assertThat(event.eventId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    }

    @Test
    void equalityComparesPayloadsByContentAndToStringHidesThem() {
        SpilledEvent a = new SpilledEvent(1, "id", "s", "t", "secret-key", "secret".getBytes(StandardCharsets.UTF_8),
                Map.of("auth", "secret-header"), 2, 3);
        SpilledEvent b = new SpilledEvent(1, "id", "s", "t", "secret-key", "secret".getBytes(StandardCharsets.UTF_8),
                Map.of("auth", "secret-header"), 2, 3);

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(b.withSequence(2));
        assertThat(a.toString()).doesNotContain("secret")
                .isEqualTo("SpilledEvent[sequence=1, eventId=id, stream=s, topic=t, key=(10 chars), payload=(6 bytes), "
                        + "headers=[auth], order=2, spilledAtMillis=3]");
    }
}
