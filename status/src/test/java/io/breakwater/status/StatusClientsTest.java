package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class StatusClientsTest {

    private static Map<String, Object> host() {
        Map<String, Object> host = new HashMap<>();
        host.put("bootstrap.servers", "127.0.0.1:9093");
        host.put("security.protocol", "SSL");
        host.put("client.id", "orders");
        host.put("interceptor.classes", "io.breakwater.interceptors.CircuitBreakerProducerInterceptor");
        host.put("acks", "all");
        host.put("breakwater.breaker.name", "orders");
        host.put("org.example.TrustMaterial", "bundle");
        return host;
    }

    @Test
    void keepsTheConnectionAndSecuritySettingsOnly() {
        assertThat(StatusClients.of(host(), "test")).containsOnlyKeys("bootstrap.servers", "security.protocol");
    }

    @Test
    void aCustomSslEngineFactoryKeepsItsOwnSettingsButNotTheHostsIdentityNorBreakwatersKeys() {
        Map<String, Object> host = host();
        host.put("ssl.engine.factory.class", "org.example.BundleEngineFactory");
        assertThat(StatusClients.of(host, "test")).containsOnlyKeys("bootstrap.servers", "security.protocol",
                "ssl.engine.factory.class", "org.example.TrustMaterial")
                .containsEntry("org.example.TrustMaterial", "bundle");
    }

    @Test
    void aSaslCallbackHandlerKeepsItsOwnSettingsToo() {
        Map<String, Object> host = host();
        host.put("sasl.login.callback.handler.class", "org.example.TokenHandler");
        assertThat(StatusClients.of(host, "test")).containsKeys("org.example.TrustMaterial")
                .doesNotContainKeys("client.id", "interceptor.classes", "acks", "breakwater.breaker.name");
    }

    private static final String PASSWORD = "pl4in-Pa55";
    private final List<String> warnings = new ArrayList<>();

    private static Map<String, Object> saslHost() {
        Map<String, Object> host = new HashMap<>();
        host.put("bootstrap.servers", "127.0.0.1:9093");
        host.put("security.protocol", "SASL_SSL");
        host.put("sasl.mechanism", "PLAIN");
        host.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"orders\" "
                + "password=\"" + PASSWORD + "\";");
        host.put("ssl.truststore.password", "trust-pw");
        return host;
    }

    /** An operations cluster of its own, so that each test's warning is its first for that address. */
    private static String otherCluster() {
        return "127.0.0.2:" + (20_000 + Math.floorMod(UUID.randomUUID().hashCode(), 40_000));
    }

    @Test
    void anotherClusterWithTheProducersCredentialsIsWarnedOfOnceByKeyNeverByValue() {
        String ops = otherCluster();
        Map<String, Object> config = StatusClients.inherit(saslHost(), ops, "breakwater.status.bootstrap.servers", "test",
                warnings::add);
        assertThat(config).containsEntry("bootstrap.servers", ops).containsKey("sasl.jaas.config");
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).startsWith("breakwater.status.bootstrap.servers sends the status clients to " + ops
                + ", another cluster than the producer's, with the producer's credentials [sasl.jaas.config]")
                .contains("breakwater.status.sasl.jaas.config").doesNotContain(PASSWORD).doesNotContain("trust-pw")
                .doesNotContain("PlainLoginModule");
        StatusClients.inherit(saslHost(), ops, "breakwater.status.bootstrap.servers", "test", warnings::add);
        assertThat(warnings).as("once per address").hasSize(1);
    }

    @Test
    void aClientCertificateGoingToAnotherClusterIsWarnedOfToo() {
        Map<String, Object> host = host();
        host.put("ssl.keystore.location", "/etc/app/keystore.p12");
        host.put("ssl.keystore.password", "ks-pw");
        StatusClients.inherit(host, otherCluster(), "breakwater.status.bootstrap.servers", "test", warnings::add);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("[ssl.keystore.location]").doesNotContain("ks-pw").doesNotContain("/etc/app");
    }

    @Test
    void noWarningWhenTheCredentialsAreTheStatusClientsOwnOrTheClusterIsTheProducers() {
        Map<String, Object> own = saslHost();
        own.put("breakwater.status.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"ops\" password=\"ops-pw\";");
        StatusClients.inherit(own, otherCluster(), "breakwater.status.bootstrap.servers", "test", warnings::add);
        StatusClients.inherit(saslHost(), "127.0.0.1:9093", "breakwater.status.bootstrap.servers", "test", warnings::add);
        StatusClients.inherit(saslHost(), null, "breakwater.status.bootstrap.servers", "test", warnings::add);
        Map<String, Object> plaintext = saslHost();
        plaintext.put("security.protocol", "PLAINTEXT");
        StatusClients.inherit(plaintext, otherCluster(), "breakwater.status.bootstrap.servers", "test", warnings::add);
        assertThat(warnings).isEmpty();
    }

    @Test
    void anEmptyOverrideRemovesASettingKafkaHasNoDefaultFor() {
        Map<String, Object> host = saslHost();
        host.put("sasl.login.callback.handler.class", "org.example.TokenHandler");
        host.put("org.example.TrustMaterial", "bundle");
        host.put("breakwater.status.sasl.login.callback.handler.class", "");
        host.put("breakwater.status.sasl.jaas.config", " ");
        host.put("breakwater.status.ssl.endpoint.identification.algorithm", "");
        Map<String, Object> config = StatusClients.of(host, "test");
        assertThat(config).doesNotContainKeys("sasl.login.callback.handler.class", "sasl.jaas.config",
                        "org.example.TrustMaterial")
                .as("an empty value that means something to Kafka stays").containsEntry("ssl.endpoint.identification.algorithm", "")
                .containsEntry("sasl.mechanism", "PLAIN");
    }

    @Test
    void noBootstrapServersNamesTheSwitchOfWhatNeedsThem() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StatusClients.inherit(Map.of(), null,
                        "breakwater.status.bootstrap.servers", "the Breakwater status publisher", w -> { }))
                .hasMessageEndingWith("set bootstrap.servers or breakwater.status.bootstrap.servers, or turn status"
                        + " publishing off with breakwater.status.enabled=false");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StatusClients.inherit(Map.of(), null,
                        "breakwater.status.bootstrap.servers", "the Breakwater control follower",
                        "the control follower off with breakwater.control.enabled=false"))
                .hasMessageEndingWith("set bootstrap.servers or breakwater.status.bootstrap.servers, or turn the"
                        + " control follower off with breakwater.control.enabled=false");
    }
}
