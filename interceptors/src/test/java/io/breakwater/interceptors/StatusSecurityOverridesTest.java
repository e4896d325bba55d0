package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.interceptors.internal.GuardSetup;
import io.breakwater.status.StatusClients;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** What the status clients take from the producer, and what breakwater.status.* replaces (README, "Secured clusters"). */
class StatusSecurityOverridesTest {

    private static final String APP_JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"app\" password=\"app-secret\";";
    private static final String OPS_JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"ops\" password=\"ops-secret\";";

    private static Map<String, Object> producer() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("bootstrap.servers", "localhost:9093");
        props.put("security.protocol", "SASL_SSL");
        props.put("sasl.mechanism", "SCRAM-SHA-512");
        props.put("sasl.jaas.config", APP_JAAS);
        props.put("ssl.truststore.type", "PEM");
        props.put("ssl.truststore.certificates", "CA");
        props.put("acks", "all");
        return props;
    }

    @Test
    void withoutOverridesTheStatusClientsUseTheProducersSecurity() {
        Map<String, Object> status = GuardSetup.statusClient(producer(), new BreakwaterConfig(producer()));
        assertThat(status).containsOnly(Map.entry("bootstrap.servers", "localhost:9093"), Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"), Map.entry("sasl.jaas.config", APP_JAAS),
                Map.entry("ssl.truststore.type", "PEM"), Map.entry("ssl.truststore.certificates", "CA"));
    }

    @Test
    void eachBreakwaterStatusSecurityKeyReplacesTheProducersAndTheRestIsInherited() {
        Map<String, Object> props = producer();
        props.put("breakwater.status.bootstrap.servers", "127.0.0.1:9094");
        props.put("breakwater.status.sasl.jaas.config", OPS_JAAS);
        props.put("breakwater.status.ssl.truststore.certificates", "OPS-CA");
        Map<String, Object> status = GuardSetup.statusClient(props, new BreakwaterConfig(props));
        assertThat(status).containsEntry("bootstrap.servers", "127.0.0.1:9094").containsEntry("sasl.jaas.config", OPS_JAAS)
                .containsEntry("ssl.truststore.certificates", "OPS-CA")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.type", "PEM")
                .doesNotContainKeys("breakwater.status.sasl.jaas.config", "breakwater.status.bootstrap.servers", "acks");
    }

    @Test
    void anOverrideWinsWhateverTheOrderOfTheKeys() {
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("breakwater.status.security.protocol", "SSL");
        first.put("bootstrap.servers", "localhost:9093");
        first.put("security.protocol", "SASL_SSL");
        assertThat(StatusClients.of(first, "the Breakwater status reader")).containsEntry("security.protocol", "SSL");
    }

    @Test
    void aReaderOrStateStoreGivenTheProducersPropertiesReadsTheStatusCluster() {
        Map<String, Object> props = producer();
        props.put("breakwater.status.bootstrap.servers", "127.0.0.1:9094");
        props.put("breakwater.status.sasl.jaas.config", OPS_JAAS);
        Map<String, Object> reader = StatusClients.of(props, "the Breakwater status reader");
        assertThat(reader).containsEntry("bootstrap.servers", "127.0.0.1:9094").containsEntry("sasl.jaas.config", OPS_JAAS);
    }

    @Test
    void securityOverridesAreKnownKeysAndOtherStatusKeysStillFail() {
        Map<String, Object> props = new HashMap<>(producer());
        props.put("breakwater.status.security.protocol", "SASL_SSL");
        props.put("breakwater.status.sasl.jaas.config", OPS_JAAS);
        props.put("breakwater.status.ssl.truststore.certificates", "OPS-CA");
        new BreakwaterConfig(props);
        props.put("breakwater.status.acks", "1");
        assertThatThrownBy(() -> new BreakwaterConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("[breakwater.status.acks]")
                .hasMessageContaining("breakwater.status.sasl.*")
                .hasMessageNotContaining("ops-secret");
    }

    @Test
    void onlySecuritySettingsCountAsOverrides() {
        assertThat(StatusClients.isSecurityOverride("breakwater.status.sasl.mechanism")).isTrue();
        assertThat(StatusClients.isSecurityOverride("breakwater.status.ssl.keystore.key")).isTrue();
        assertThat(StatusClients.isSecurityOverride("breakwater.status.security.protocol")).isTrue();
        assertThat(StatusClients.isSecurityOverride("breakwater.status.topic")).isFalse();
        assertThat(StatusClients.isSecurityOverride("breakwater.status.security.providers")).isFalse();
        assertThat(StatusClients.isSecurityOverride("sasl.mechanism")).isFalse();
    }
}
