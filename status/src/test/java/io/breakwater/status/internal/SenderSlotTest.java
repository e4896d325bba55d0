package io.breakwater.status.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The newest handle's settings reach the one producer of an instance: credentials rotated, say. */
class SenderSlotTest {

    @Test
    void newerSettingsMakeANewProducerAtTheNextBatchAndNotBefore() {
        java.util.List<Map<String, Object>> told = new java.util.ArrayList<>();
        SenderSlot slot = new SenderSlot(Map.of("bootstrap.servers", "127.0.0.1:1"), "breakwater-status", "i-1", told::add);
        try {
            StatusSender first = slot.sender();
            assertThat(slot.sender()).as("no newer settings: the same producer").isSameAs(first);

            slot.use(Map.of("bootstrap.servers", "127.0.0.1:1", "reconnect.backoff.ms", 500));
            assertThat(slot.config()).as("what the next batch uses").containsEntry("reconnect.backoff.ms", 500);
            assertThat(slot.inUse()).as("not before it").doesNotContainKey("reconnect.backoff.ms");

            assertThat(told).isEmpty();
            StatusSender second = slot.sender();
            assertThat(second).isNotSameAs(first);
            assertThat(told).as("the errors are told the settings they now come with").singleElement()
                    .isEqualTo(slot.inUse());
            assertThat(slot.inUse()).containsEntry("reconnect.backoff.ms", 500);
            assertThat(slot.sender()).isSameAs(second);
        } finally {
            slot.close();
        }
    }

    @Test
    void settingsThatMakeNoProducerAreLoggedAndTheOldOnesKept() {
        io.breakwater.testsupport.LogLines log = io.breakwater.testsupport.LogLines.fromNow();
        java.util.List<Map<String, Object>> told = new java.util.ArrayList<>();
        SenderSlot slot = new SenderSlot(Map.of("bootstrap.servers", "127.0.0.1:1"), "breakwater-status", "i-3", told::add);
        try {
            slot.sender();
            // SASL without a login module: Kafka's producer refuses to be made.
            slot.use(Map.of("bootstrap.servers", "127.0.0.1:1", "security.protocol", "SASL_PLAINTEXT"));
            StatusSender kept = slot.sender();
            assertThat(kept).isNotNull();
            assertThat(slot.inUse()).doesNotContainKey("security.protocol");
            assertThat(slot.config()).doesNotContainKey("security.protocol");
            assertThat(log.containing("instance i-3", "the newer client settings make no producer", "keeping the settings"))
                    .hasSize(1);
            assertThat(slot.sender()).as("made once, not at every batch").isSameAs(kept);
            assertThat(told).as("still the old settings").isEmpty();
        } finally {
            slot.close();
        }
    }

    @Test
    void settingsThatComeAfterTheCloseMakeNoProducer() {
        SenderSlot slot = new SenderSlot(Map.of("bootstrap.servers", "127.0.0.1:1"), "breakwater-status", "i-2");
        StatusSender first = slot.sender();
        slot.close();
        slot.use(Map.of("bootstrap.servers", "127.0.0.1:1", "reconnect.backoff.ms", 500));
        assertThat(slot.sender()).isSameAs(first);
    }
}
