package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

/** The keys that share a publisher's or follower's client hold whole client settings: their text shows no value. */
class SharedKeysTest {

    private static final Map<String, Object> CLIENT = Map.of("bootstrap.servers", "kafka:9093",
            "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" "
                    + "password=\"hunter2\";",
            "ssl.key.password", new Password("k3y-pw"), "ssl.truststore.password", "trust-pw");

    @Test
    void aStatusPublishersKeyShowsNoValue() {
        String text = new StatusPublisher.Key(CLIENT, "breakwater-status", "i-1").toString();
        assertThat(text).contains("breakwater-status").contains("i-1").contains("sasl.jaas.config")
                .doesNotContain("hunter2").doesNotContain("k3y-pw").doesNotContain("trust-pw")
                .doesNotContain("PlainLoginModule").doesNotContain("kafka:9093");
    }

    @Test
    void aControlFollowersKeyShowsNoValue() {
        String text = new ControlFollower.Key(CLIENT, "breakwater-control", "i-1").toString();
        assertThat(text).contains("breakwater-control").contains("ssl.key.password")
                .doesNotContain("hunter2").doesNotContain("k3y-pw").doesNotContain("trust-pw");
    }
}
