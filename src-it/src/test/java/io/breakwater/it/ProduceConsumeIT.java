package io.breakwater.it;

import io.breakwater.testkit.ForkedKafkaBroker;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** 10,000 records through every broker mode that applies on this machine. */
@RealBroker
class ProduceConsumeIT {

    @Test
    void tenThousandRecordsThroughTheSelectedBroker(TestBroker broker) throws Exception {
        String topic = "round-trip-" + broker.kind().name().toLowerCase();
        broker.createTopic(topic, 3, 1, Map.of());
        Records.roundTrip(broker.bootstrapServers(), topic, 10_000);
    }

    @Test
    void tenThousandRecordsThroughAForkedBroker() throws Exception {
        try (ForkedKafkaBroker forked = ForkedKafkaBroker.start()) {
            Records.roundTrip(forked.bootstrapServers(), "round-trip-forked", 10_000);
        }
    }
}
