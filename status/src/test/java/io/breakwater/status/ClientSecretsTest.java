package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

/** Which client settings are secrets: Kafka's password settings by their type, others by their names. */
class ClientSecretsTest {

    @Test
    void kafkasPasswordSettingsAreSecretsWhateverTheirNames() {
        for (String key : new String[] {"sasl.oauthbearer.assertion.private.key.passphrase", "ssl.keystore.key",
                "sasl.jaas.config", "ssl.key.password", "ssl.truststore.password",
                "sasl.oauthbearer.client.credentials.client.secret"}) {
            assertThat(ClientSecrets.isSecret(key)).as(key).isTrue();
            assertThat(ClientSecrets.isSecret("breakwater.status." + key)).as("breakwater.status." + key).isTrue();
        }
    }

    @Test
    void otherSettingsAreSecretsWhenTheirNamesSaySo() {
        assertThat(ClientSecrets.isSecret("org.example.vault.password")).isTrue();
        assertThat(ClientSecrets.isSecret("org.example.clientSecret")).isTrue();
        assertThat(ClientSecrets.isSecret("org.example.signing.private_key")).isTrue();
        assertThat(ClientSecrets.isSecret("org.example.key.passphrase")).isTrue();
        for (String key : new String[] {"bootstrap.servers", "sasl.mechanism", "ssl.keystore.location",
                "sasl.oauthbearer.token.endpoint.url", "sasl.oauthbearer.client.credentials.client.id", "client.id"}) {
            assertThat(ClientSecrets.isSecret(key)).as(key).isFalse();
        }
        assertThat(ClientSecrets.isSecret(null)).isFalse();
    }

    @Test
    void everySecretValueIsMaskedAndNothingElse() {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", "kafka:9093");
        config.put("sasl.oauthbearer.assertion.private.key.passphrase", new Password("pass-phrase-1"));
        config.put("breakwater.status.ssl.keystore.password", "ops-keystore-pw");
        config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username='orders-app' password='pw with spaces';");
        config.put("breakwater.status.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"ops\" password=\"ops-pw\";");
        ClientSecrets secrets = ClientSecrets.of(config);
        assertThat(secrets.mask("a pass-phrase-1 b ops-keystore-pw c pw with spaces d ops-pw e kafka:9093 orders-app ops"))
                .isEqualTo("a **** b **** c **** d **** e kafka:9093 orders-app ops");
        assertThat(secrets.toString()).doesNotContain("pw").doesNotContain("phrase");
        assertThat(ClientSecrets.of(null).mask("x")).isEqualTo("x");
        assertThat(secrets.mask(null)).isNull();
    }

    @Test
    void everyWordOfAJaasLineKafkaCannotReadIsMaskedButItsModuleAndFlags() {
        // A stray quote inside the password: Kafka's parser stops at "ador-Horse" and names it in its message.
        ClientSecrets secrets = ClientSecrets.of(Map.of("sasl.jaas.config", "org.apache.kafka.common.security.plain."
                + "PlainLoginModule required username=\"alice\" password=\"Tr0ub\"ador-Horse\";"));
        assertThat(secrets.mask("Value not specified for key 'ador-Horse' in JAAS config; Tr0ub; required"))
                .isEqualTo("Value not specified for key '****' in JAAS config; ****; required");
        assertThat(secrets.mask("PlainLoginModule a b")).isEqualTo("PlainLoginModule a b");
    }
}
