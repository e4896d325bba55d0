package io.breakwater.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.Test;

/** What the first check says when the cluster does not answer, or the client cannot even be made. */
class ReachabilityTest {

    private static final Map<String, Object> SECURED = Map.of("bootstrap.servers", "kafka:9093",
            "security.protocol", "SASL_SSL", "ssl.truststore.password", "s3cret",
            "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" "
                    + "password=\"hunter2\";");

    @Test
    void aFailedSaslLoginSaysAuthenticationFailedAndHidesThePassword() {
        String message = Reachability.noAnswer(SECURED, Duration.ofSeconds(30), new ExecutionException(
                new SaslAuthenticationException("Authentication failed: invalid credentials for u/hunter2")));
        assertThat(message).startsWith("Cannot connect to Kafka at 'kafka:9093': authentication failed (TLS handshake or SASL)")
                .contains("SaslAuthenticationException").contains("--command-config")
                .doesNotContain("hunter2").doesNotContain("s3cret").doesNotContain("no broker answered");
    }

    @Test
    void aFailedTlsHandshakeDeepInTheCausesSaysAuthenticationFailed() {
        String message = Reachability.noAnswer(SECURED, Duration.ofSeconds(30), new ExecutionException(
                new KafkaException("call failed", new SslAuthenticationException("SSL handshake failed (s3cret)"))));
        assertThat(message).contains("authentication failed (TLS handshake or SASL): SslAuthenticationException")
                .contains("--command-config").doesNotContain("s3cret");
    }

    @Test
    void aSecretOfKafkasWhoseNameSaysNothingIsHiddenToo() {
        Map<String, Object> client = Map.of("bootstrap.servers", "kafka:9093", "security.protocol", "SASL_SSL",
                "sasl.oauthbearer.assertion.private.key.passphrase", "phrase-42",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username='u' "
                        + "password='pw with username=x';");
        String message = Reachability.noAnswer(client, Duration.ofSeconds(30), new ExecutionException(
                new SaslAuthenticationException("echo: phrase-42 / pw with username=x")));
        assertThat(message).doesNotContain("phrase-42").doesNotContain("pw with").contains("echo: **** / ****");
        KafkaException address = new KafkaException("Failed to create new KafkaAdminClient",
                new ConfigException("Invalid url in bootstrap.servers: phrase-42"));
        assertThat(Reachability.notCreated(client, address)).startsWith("Cannot use bootstrap server(s)")
                .doesNotContain("phrase-42");
    }

    @Test
    void aHostThatDoesNotResolveIsSaidSoWithoutKafkasInnerNames() {
        KafkaException unresolved = new KafkaException("Failed to create new KafkaAdminClient",
                new ConfigException("No resolvable bootstrap urls given in bootstrap.servers"));
        assertThat(Reachability.notCreated(Map.of("bootstrap.servers", "nosuchhost.invalid:9092"), unresolved))
                .isEqualTo("Cannot resolve any host of --bootstrap-server 'nosuchhost.invalid:9092'. Check the host names "
                        + "and this machine's DNS.");
    }

    @Test
    void noAnswerNamesTheTimeoutAsWritten() {
        assertThat(Reachability.noAnswer(Map.of("bootstrap.servers", "h:1"), Duration.ofMinutes(2), new TimeoutException()))
                .isEqualTo("Cannot reach Kafka at 'h:1' within 2m: no broker answered. Is it running, and is the address right?");
    }

    @Test
    void aTimeoutInsideTheFutureIsNoAnswerWithinTheTimeoutToo() {
        assertThat(Reachability.noAnswer(Map.of("bootstrap.servers", "h:1"), Duration.ofSeconds(8), new ExecutionException(
                new org.apache.kafka.common.errors.TimeoutException("Timed out waiting for a node assignment."))))
                .isEqualTo("Cannot reach Kafka at 'h:1' within 8s: no broker answered. Is it running, and is the address right?");
    }

    @Test
    void anAnswerThatIsNotABrokersSaysWhatCameBackNotThatNothingDid() {
        String message = Reachability.noAnswer(Map.of("bootstrap.servers", "h:9093"), Duration.ofSeconds(8),
                new ExecutionException(new org.apache.kafka.common.errors.UnsupportedVersionException(
                        "The node does not support METADATA")));
        assertThat(message).isEqualTo("Kafka at 'h:9093' did not describe its cluster: UnsupportedVersionException: "
                + "The node does not support METADATA. Is the address a broker's client listener?");
    }

    @Test
    void anAddressThatNeverResolvedSaysSoAndAFailureWithoutMessageEndsCleanly() {
        assertThat(Reachability.noAnswer(Map.of("bootstrap.servers", "kafak:9092"), Duration.ofSeconds(8),
                new ExecutionException(new org.apache.kafka.common.errors.BootstrapResolutionException(
                        "Failed to resolve addresses within the configured period, check bootstrap.servers and DNS settings."))))
                .isEqualTo("Cannot resolve bootstrap server(s) 'kafak:9092': BootstrapResolutionException: Failed to resolve "
                        + "addresses within the configured period, check bootstrap.servers and DNS settings. Check that the host "
                        + "resolves.");
        assertThat(Reachability.noAnswer(Map.of("bootstrap.servers", "h:1"), Duration.ofSeconds(8),
                new ExecutionException(new IllegalStateException())))
                .isEqualTo("Kafka at 'h:1' did not describe its cluster: IllegalStateException. Is the address a broker's "
                        + "client listener?");
    }

    @Test
    void aSettingKafkaRefusesNamesCommandConfigAndABadAddressTheBootstrapServer() {
        KafkaException bogus = new KafkaException("Failed to create new KafkaAdminClient", new ConfigException(
                "security.protocol", "BOGUS", "String must be one of: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"));
        assertThat(Reachability.notCreated(Map.of("bootstrap.servers", "h:1", "security.protocol", "BOGUS"), bogus))
                .startsWith("Cannot create a Kafka client with the settings of --command-config: ").contains("BOGUS")
                .doesNotContain("bootstrap server");
        KafkaException address = new KafkaException("Failed to create new KafkaAdminClient",
                new ConfigException("Invalid url in bootstrap.servers: nohost"));
        assertThat(Reachability.notCreated(Map.of("bootstrap.servers", "nohost", "security.protocol", "SSL"), address))
                .startsWith("Cannot use bootstrap server(s) 'nohost': ");
    }
}
