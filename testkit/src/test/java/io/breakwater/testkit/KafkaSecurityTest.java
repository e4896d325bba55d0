package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.acl.AclOperation;
import org.junit.jupiter.api.Test;

/** The security builder's rules and what it hands to brokers and clients, without a broker. */
class KafkaSecurityTest {

    @Test
    void clientsGetSaslSslScramAndTheCaInline() {
        KafkaSecurity security = KafkaSecurity.builder().user("app", "app-secret").build();
        Map<String, Object> client = security.clientConfig("app");
        assertThat(client).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.type", "PEM");
        assertThat((String) client.get("ssl.truststore.certificates")).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat((String) client.get("sasl.jaas.config")).contains("username=\"app\"").contains("password=\"app-secret\"");
    }

    @Test
    void brokersGetAnEncryptedKeyTheAuthorizerAndAnonymousAsASuperUser() {
        KafkaSecurity security = KafkaSecurity.builder().keyPassword("key-secret").build();
        Map<String, String> broker = security.brokerProperties("EXTERNAL", "INTERNAL", "CONTROLLER");
        assertThat(broker.get("listener.name.external.ssl.keystore.key")).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThat(broker).containsEntry("listener.name.external.ssl.key.password", "key-secret")
                .containsEntry("super.users", "User:admin;User:ANONYMOUS")
                .containsEntry("listener.security.protocol.map", "EXTERNAL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
    }

    @Test
    void withClientCertificatesClientsShowAnEncryptedKeyAndTheListenerRequiresOne() {
        KafkaSecurity security = KafkaSecurity.builder().user("app", "app-secret").clientCertificates("client key secret")
                .build();
        Map<String, Object> client = security.clientConfig("app");
        assertThat(client).containsEntry("ssl.keystore.type", "PEM").containsEntry("ssl.key.password", "client key secret");
        assertThat((String) client.get("ssl.keystore.key")).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThat((String) client.get("ssl.keystore.certificate.chain")).startsWith("-----BEGIN CERTIFICATE-----")
                .endsWith(security.trustedCertificates());
        assertThat(security.clientKeyPassword()).contains("client key secret");
        Map<String, String> broker = security.brokerProperties("EXTERNAL", "INTERNAL", "CONTROLLER");
        assertThat(broker).containsEntry("listener.name.external.ssl.client.auth", "required")
                .containsEntry("listener.name.external.ssl.truststore.certificates", security.trustedCertificates());
        assertThat(security.toString()).contains("mutual TLS").doesNotContain("client key secret");

        KafkaSecurity oneWay = KafkaSecurity.builder().user("app", "app-secret").build();
        assertThat(oneWay.clientConfig("app")).doesNotContainKeys("ssl.keystore.key", "ssl.key.password");
        assertThat(oneWay.brokerProperties("EXTERNAL", "INTERNAL", "CONTROLLER"))
                .doesNotContainKey("listener.name.external.ssl.client.auth");
        assertThat(oneWay.clientKeyPassword()).isEmpty();
    }

    @Test
    void theAdminIsFirstAndHasARandomPasswordUnlessGiven() {
        KafkaSecurity random = KafkaSecurity.builder().user("app", "app-secret").build();
        assertThat(random.users()).containsExactly("admin", "app");
        assertThat(random.password("admin")).hasSize(24).isNotEqualTo(KafkaSecurity.builder().build().password("admin"));
        KafkaSecurity given = KafkaSecurity.builder().user("app", "app-secret").admin("root", "root-secret").build();
        assertThat(given.users()).containsExactly("root", "app");
        assertThat(given.scramArguments()).hasSize(2).allMatch(a -> !a.contains("secret"))
                .satisfiesExactly(root -> assertThat(root).startsWith("SCRAM-SHA-512=[name=\"root\",salt=\""),
                        app -> assertThat(app).startsWith("SCRAM-SHA-512=[name=\"app\",salt=\""));
    }

    @Test
    void badUsersPasswordsAndAclsAreRefusedWithoutShowingThePassword() {
        KafkaSecurity.Builder b = KafkaSecurity.builder().user("app", "app-secret");
        assertThatThrownBy(() -> b.user("app", "other")).hasMessageContaining("user 'app' is declared twice");
        assertThatThrownBy(() -> b.user("a b", "x")).hasMessageContaining("1 to 64 of [A-Za-z0-9._-], but was 'a b'");
        assertThatThrownBy(() -> b.user("bob", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the password of bob must not be empty");
        assertThatThrownBy(() -> b.user("bob", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.clientCertificates("")).hasMessage("the password of the clients' private key must not be empty");
        assertThatThrownBy(() -> b.allowTopic("carol", "t", AclOperation.READ))
                .hasMessageContaining("ACL for unknown user 'carol'");
        assertThatThrownBy(() -> b.allowTopic("app", "t")).hasMessageContaining("needs at least one operation");
        assertThatThrownBy(() -> b.allowTopic("app", "t", AclOperation.ANY)).hasMessageContaining("concrete operation");
        assertThatThrownBy(() -> b.allowTopic("app", " ", AclOperation.READ)).hasMessageContaining("topic must not be blank");
        assertThatThrownBy(() -> b.build().clientConfig("carol")).hasMessageContaining("no user 'carol'")
                .hasMessageContaining("[admin, app]");
    }

    @Test
    void toStringNamesUsersNotPasswords() {
        KafkaSecurity security = KafkaSecurity.builder().user("app", "app-secret")
                .allowTopic("app", "t", AclOperation.WRITE, AclOperation.DESCRIBE).build();
        assertThat(security.toString()).contains("app").contains("2 ACL(s)").doesNotContain("app-secret")
                .doesNotContain(security.password("admin")).doesNotContain(security.keyPassword());
    }
}
