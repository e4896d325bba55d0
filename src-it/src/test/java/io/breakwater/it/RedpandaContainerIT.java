package io.breakwater.it;

import io.breakwater.testkit.BrokerExtension;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.redpanda.RedpandaContainer;

/** Redpanda in a container, where a Docker engine runs; skipped (not failed) elsewhere. */
@Testcontainers(disabledWithoutDocker = true)
class RedpandaContainerIT {

    @Container
    static final RedpandaContainer REDPANDA = new RedpandaContainer(BrokerExtension.REDPANDA_IMAGE);

    @Test
    void tenThousandRecordsThroughRedpanda() throws Exception {
        Records.roundTrip(REDPANDA.getBootstrapServers(), "round-trip-redpanda", 10_000);
    }
}
