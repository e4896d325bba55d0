package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testkit.EmbeddedKafkaCluster;
import org.junit.jupiter.api.Test;

class SmokeIT {
    @Test
    void starts() {
        long t0 = System.nanoTime();
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.startSingleNode()) {
            System.out.println("started in " + (System.nanoTime() - t0) / 1_000_000 + " ms at " + kafka.bootstrapServers());
            kafka.createTopic("smoke");
            assertThat(kafka.admin().describeCluster().nodes()).isNotNull();
        }
        System.out.println("total " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
