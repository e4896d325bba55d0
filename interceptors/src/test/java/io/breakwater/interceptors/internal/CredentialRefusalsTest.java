package io.breakwater.interceptors.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** The one ERROR a producer logs when the cluster refuses its credentials: who, why, and never a secret. */
class CredentialRefusalsTest {

    private static final String PASSWORD = "p%@ss w0rd\"'\\";
    private static final String KEY_PASSWORD = "k3y-Pa55!";
    // The password in sasl.jaas.config as a user writes it: quoted, with its quote and backslash escaped.
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required\n"
            + "  username=\"orders-app\"\n  password=\"" + PASSWORD.replace("\\", "\\\\").replace("\"", "\\\"") + "\";";

    private final List<String> logged = new ArrayList<>();
    private final ManualClock clock = new ManualClock();

    private CredentialRefusals refusals(Map<String, ?> config) {
        return new CredentialRefusals("orders", config, clock, Duration.ofSeconds(1), logged::add);
    }

    private static Map<String, Object> scram() {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", "broker:9093");
        config.put("client.id", "orders-producer");
        config.put("security.protocol", "SASL_SSL");
        config.put("sasl.mechanism", "SCRAM-SHA-512");
        config.put("sasl.jaas.config", JAAS);
        config.put("ssl.key.password", KEY_PASSWORD);
        return config;
    }

    @Test
    void thePrincipalIsTheUserKafkaReadsNeverPartOfThePassword() {
        Map<String, Object> config = scram();
        config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "password='pw username=LEAKED-PART' username='alice';");
        refusals(config).refused(new SaslAuthenticationException("Authentication failed"));
        assertThat(logged.get(0)).contains("principal 'alice' (SCRAM-SHA-512 over SASL_SSL)").doesNotContain("LEAKED");
    }

    @Test
    void aRefusalIsLoggedOnceNamingTheProducerAndThePrincipal() {
        CredentialRefusals refusals = refusals(scram());
        for (int i = 0; i < 5; i++) {
            assertThat(refusals.refused(new SaslAuthenticationException("Authentication failed during authentication due "
                    + "to invalid credentials with SASL mechanism SCRAM-SHA-512"))).isTrue();
        }
        assertThat(logged).hasSize(1);
        assertThat(logged.get(0)).startsWith("Kafka refused the credentials of producer 'orders-producer' (breaker 'orders'), "
                        + "principal 'orders-app' (SCRAM-SHA-512 over SASL_SSL): "
                        + "org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed")
                .contains("a configuration error, not an outage").contains("Logged again only after a send has succeeded");
        assertThat(refusals.refusing()).isTrue();
        refusals.cleared();
        assertThat(refusals.refusing()).isFalse();
        refusals.refused(new SaslAuthenticationException("again"));
        assertThat(logged).as("a failure that counts between two refusals is no success").hasSize(1);
    }

    @Test
    void aRefusalAfterASuccessIsLoggedAgain() {
        CredentialRefusals refusals = refusals(scram());
        refusals.refused(new SaslAuthenticationException("bad password"));
        refusals.succeeded();
        assertThat(refusals.refusing()).isFalse();
        assertThat(refusals.logged()).isFalse();
        clock.advance(Duration.ofDays(3));   // the password is rotated, and this producer still has the old one
        refusals.refused(new SaslAuthenticationException("bad password"));
        refusals.refused(new SaslAuthenticationException("bad password"));
        assertThat(logged).hasSize(2);
        assertThat(logged.get(1)).startsWith("Kafka refused the credentials of producer 'orders-producer'");
    }

    @Test
    void theExcuseOfARefusalEndsOnceKafkasNextAttemptToLogInIsOverdue() {
        CredentialRefusals refusals = refusals(scram());
        refusals.refused(new SaslAuthenticationException("bad password"));
        // reconnect.backoff.max.ms 1 s, plus 20 % jitter, plus the 1 s threshold
        clock.advance(Duration.ofMillis(2200));
        assertThat(refusals.refusing()).isTrue();
        clock.advanceMillis(1);
        assertThat(refusals.refusing()).as("no refusal for too long: the silence is the cluster's again").isFalse();
        refusals.refused(new SaslAuthenticationException("bad password"));
        assertThat(refusals.refusing()).as("each refusal renews it").isTrue();
        Map<String, Object> slow = scram();
        slow.put("reconnect.backoff.max.ms", "5000");
        assertThat(CredentialRefusals.excuse(slow, Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(8));
        slow.put("reconnect.backoff.ms", 10_000);
        assertThat(CredentialRefusals.excuse(slow, Duration.ZERO)).isEqualTo(Duration.ofSeconds(12));
        assertThat(CredentialRefusals.excuse(null, Duration.ZERO)).isEqualTo(Duration.ofMillis(1200));
        assertThat(CredentialRefusals.excuse(Map.of("reconnect.backoff.max.ms", "x"), Duration.ZERO))
                .isEqualTo(Duration.ofMillis(1200));
    }

    @Test
    void otherFailuresAreNoRefusal() {
        CredentialRefusals refusals = refusals(scram());
        assertThat(refusals.refused(new TopicAuthorizationException("no rights"))).isFalse();
        assertThat(refusals.refused(new TimeoutException("t"))).isFalse();
        assertThat(refusals.refused(null)).isFalse();
        assertThat(refusals.refusing()).isFalse();
        assertThat(logged).isEmpty();
        assertThat(refusals.refused(new ExecutionException(new SslAuthenticationException("SSL handshake failed")))).isTrue();
        assertThat(logged).hasSize(1);
    }

    @Test
    void neverASecretEvenWhenTheExceptionRepeatsOne() {
        CredentialRefusals refusals = refusals(scram());
        refusals.refused(new SaslAuthenticationException("server said: " + PASSWORD + " / " + KEY_PASSWORD + " / " + JAAS,
                new KafkaException(PASSWORD)));
        assertThat(logged).hasSize(1);
        assertThat(logged.get(0)).doesNotContain(PASSWORD).doesNotContain(KEY_PASSWORD).doesNotContain("p%@ss")
                .contains("principal 'orders-app'");
    }

    @Test
    void thePrincipalForEachWayOfAuthenticating() {
        assertThat(CredentialRefusals.principal(scram())).isEqualTo("principal 'orders-app' (SCRAM-SHA-512 over SASL_SSL)");
        Map<String, Object> password = scram();
        password.put("sasl.jaas.config", new Password(JAAS));
        assertThat(CredentialRefusals.principal(password)).isEqualTo("principal 'orders-app' (SCRAM-SHA-512 over SASL_SSL)");
        assertThat(CredentialRefusals.principal(Map.of("security.protocol", "sasl_plaintext")))
                .isEqualTo("the principal of the JAAS login file (no sasl.jaas.config) (GSSAPI over SASL_PLAINTEXT)");
        assertThat(CredentialRefusals.principal(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "OAUTHBEARER",
                "sasl.jaas.config", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                        + "clientId=\"svc-orders\" clientSecret=\"s3cr3t\";")))
                .isEqualTo("principal 'svc-orders' (OAUTHBEARER over SASL_SSL)");
        assertThat(CredentialRefusals.principal(Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config", "M required;")))
                .isEqualTo("principal unknown (sasl.jaas.config names none that Kafka reads: no username, clientId or "
                        + "principal option) (GSSAPI over SASL_SSL)");
        assertThat(CredentialRefusals.principal(Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config",
                "M required username=\"never closed")))
                .as("text Kafka cannot read").startsWith("principal unknown");
        assertThat(CredentialRefusals.principal(Map.of("security.protocol", "SSL")))
                .isEqualTo("the principal of the certificate in the keystore (SSL)");
        assertThat(CredentialRefusals.principal(Map.of())).isEqualTo("no credentials (security.protocol=PLAINTEXT)");
        assertThat(CredentialRefusals.principal(null)).startsWith("principal unknown");
    }

    @Test
    void aProducerWithoutClientIdIsNamedByItsBreaker() {
        Map<String, Object> config = scram();
        config.remove("client.id");
        refusals(config).refused(new SaslAuthenticationException("bad"));
        assertThat(logged.get(0)).startsWith("Kafka refused the credentials of the producer of breaker 'orders', principal 'orders-app'");
    }

    @Test
    void theSecretsOfAProducersProperties() {
        Map<String, Object> config = scram();
        config.put("ssl.keystore.key", "-----BEGIN PRIVATE KEY-----abc");
        config.put("sasl.oauthbearer.client.credentials.client.secret", new Password("oauth-secret"));
        config.put("sasl.oauthbearer.assertion.private.key.passphrase", new Password("key-phrase"));
        io.breakwater.status.ClientSecrets secrets = io.breakwater.status.ClientSecrets.of(config);
        assertThat(secrets.mask("a " + PASSWORD + " b " + KEY_PASSWORD + " c -----BEGIN PRIVATE KEY-----abc d oauth-secret"
                + " e key-phrase")).isEqualTo("a **** b **** c **** d **** e ****");
        assertThat(secrets.mask("orders-app")).as("a user name is no secret").isEqualTo("orders-app");
    }
}
