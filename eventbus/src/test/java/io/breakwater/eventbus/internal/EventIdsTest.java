package io.breakwater.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void anIdIsThePrefixInHexThenTheCounterInBase36() {
        EventIds ids = new EventIds(0xabcdef0123456789L, 0);
        assertThat(EventIds.text(ids.next())).isEqualTo("abcdef0123456789-1");
        assertThat(EventIds.text(ids.next())).isEqualTo("abcdef0123456789-2");
    }

    @Test
    void theDigitsAreLongToStringsInBase36AtEveryLength() {
        for (long last : new long[] {8, 34, 35, 36 * 36 - 2, 78_364_164_094L, Long.MAX_VALUE - 1}) {
            EventIds ids = new EventIds(-1, last);
            assertThat(EventIds.text(ids.next())).isEqualTo("ffffffffffffffff-" + Long.toString(last + 1, 36));
        }
    }

    @Test
    void idsOfOneBusAreDistinctAndTwoBusesDrawDifferentPrefixes() {
        EventIds ids = new EventIds();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertThat(seen.add(EventIds.text(ids.next()))).isTrue();
        }
        String a = EventIds.text(new EventIds().next());
        String b = EventIds.text(new EventIds().next());
        assertThat(a.substring(0, 17)).isNotEqualTo(b.substring(0, 17)).matches("[0-9a-f]{16}-");
    }
}
