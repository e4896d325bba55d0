package io.breakwater.status.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.KafkaException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class SendErrorsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"app\" password=\"app-secret\";";

    private final List<String> lines = new ArrayList<>();

    private SendErrors recording(Map<String, ?> clientConfig) {
        return new SendErrors("breakwater-status", "i-1", clientConfig, (level, message) -> lines.add(level + " " + message));
    }

    @Test
    void aFailedTlsHandshakeIsAFailedLoginLoggedAtErrorNotAnUnreachableCluster() {
        SendErrors errors = recording(Map.of("sasl.jaas.config", JAAS));
        SslAuthenticationException handshake = new SslAuthenticationException("SSL handshake failed");
        handshake.initCause(new SSLHandshakeException("PKIX path building failed"));
        errors.sendFailed(handshake, 2);
        errors.sendFailed(new ExecutionException(new KafkaException("send failed", handshake)), 2);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("ERROR Status publisher of instance i-1 cannot log in to the status topic's "
                + "cluster as User:app (" + SslAuthenticationException.class.getName() + ": SSL handshake failed; "
                + SSLHandshakeException.class.getName() + ": PKIX path building failed)").doesNotContain("app-secret");
        assertThat(SendErrors.kind(new ExecutionException(handshake))).isEqualTo(SendErrors.Kind.NOT_AUTHENTICATED);
        assertThat(SendErrors.kind(new KafkaException(new TopicAuthorizationException("no"))))
                .isEqualTo(SendErrors.Kind.NOT_AUTHORIZED);
        assertThat(SendErrors.kind(new ExecutionException(new TimeoutException("t")))).isEqualTo(SendErrors.Kind.UNREACHABLE);
        errors.topicNotChecked(2, new KafkaException("describe failed", handshake));
        assertThat(lines).as("the same failed login while checking the topic").hasSize(1);
    }

    @Test
    void eachKindIsLoggedOnceUntilASendSucceedsHoweverTheyAlternate() {
        SendErrors errors = recording(Map.of("sasl.jaas.config", JAAS));
        for (int i = 0; i < 3; i++) {
            errors.sendFailed(new ExecutionException(new SaslAuthenticationException("Authentication failed")), 1);
            errors.sendFailed(new ExecutionException(new TimeoutException("expired")), 1);
            errors.topicNotChecked(1, null);
        }
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("ERROR Status publisher of instance i-1 cannot log in");
        assertThat(lines.get(1)).startsWith("WARN Status topic breakwater-status unreachable");
        assertThat(errors.failures()).isEqualTo(9);
        errors.sent();
        assertThat(lines.get(2)).isEqualTo("INFO Status topic breakwater-status written again; publishing held events");
        errors.sent();
        assertThat(lines).hasSize(3);
        errors.sendFailed(new ExecutionException(new SaslAuthenticationException("Authentication failed")), 1);
        assertThat(lines).as("after a success, the same trouble is news again").hasSize(4);
        assertThat(lines.get(3)).startsWith("ERROR Status publisher of instance i-1 cannot log in");
    }

    @Test
    void theLastErrorIsKeptUntilASendSucceedsAndEveryAttemptCounts() {
        SendErrors errors = new SendErrors("breakwater-status", "i-1", Map.of());
        errors.sendFailed(new ExecutionException(new TopicAuthorizationException("Not authorized to access topics: "
                + "[breakwater-status]")), 1);
        errors.sendFailed(new ExecutionException(new TopicAuthorizationException("again")), 1);
        assertThat(errors.failures()).isEqualTo(2);
        assertThat(errors.lastError()).startsWith(TopicAuthorizationException.class.getName()).contains("again");
        errors.sent();
        assertThat(errors.lastError()).isNull();
        assertThat(errors.failures()).isEqualTo(2);
    }

    @Test
    void aChangeOfTroubleIsAnotherKind() {
        SendErrors errors = new SendErrors("t", "i", Map.of());
        errors.sendFailed(new TimeoutException("t"), 0);
        assertThat(errors.lastError()).contains("TimeoutException");
        errors.sendFailed(new SaslAuthenticationException("Authentication failed"), 0);
        assertThat(errors.lastError()).contains("SaslAuthenticationException");
    }

    @Test
    void aFailedLoginWhileCheckingTheTopicIsAFailedLoginNotAnAbsentCluster() {
        SendErrors errors = new SendErrors("t", "i", Map.of("sasl.jaas.config", JAAS));
        errors.topicNotChecked(1, new SaslAuthenticationException("Authentication failed"));
        assertThat(errors.lastError()).contains("SaslAuthenticationException").doesNotContain("app-secret");
        errors.topicNotChecked(1, null);
        assertThat(errors.lastError()).contains("did not answer");
        assertThat(errors.failures()).isEqualTo(2);
    }

    @Test
    void thePrincipalIsTheJaasUserNameAndNothingElseOfTheLine() {
        assertThat(SendErrors.principal(Map.of("sasl.jaas.config", JAAS))).isEqualTo("User:app");
        assertThat(SendErrors.principal(Map.of("sasl.jaas.config", new Password(JAAS)))).isEqualTo("User:app");
        assertThat(SendErrors.principal(Map.of("sasl.jaas.config", "x required;"))).isEqualTo("an unknown principal");
        assertThat(SendErrors.principal(Map.of("sasl.jaas.config", "x required username=\"never closed")))
                .isEqualTo("an unknown principal");
        assertThat(SendErrors.principal(Map.of())).isNull();
    }

    @Test
    void thePrincipalIsTheUserNameKafkaReads() {
        assertThat(SendErrors.principal(Map.of("sasl.jaas.config", "M required username=alice password=x;")))
                .as("a bare word").isEqualTo("User:alice");
        assertThat(SendErrors.principal(Map.of("sasl.jaas.config",
                "M required password='p username=\"X\"' username='alice';"))).as("a quoted password that spells a user")
                .isEqualTo("User:alice");
        assertThat(SendErrors.principal(Map.of("sasl.jaas.config", "M required password='username=\"X\"';")))
                .isEqualTo("an unknown principal");
    }

    @Test
    void afterASwapToNewerSettingsLinesNameTheNewPrincipalAndATroubleAlreadyToldIsToldAgain() {
        SendErrors errors = recording(Map.of("sasl.jaas.config", JAAS));
        errors.sendFailed(new ExecutionException(new SaslAuthenticationException("Authentication failed")), 1);
        errors.settingsChanged(Map.of("sasl.jaas.config", JAAS.replace("\"app\"", "\"app-2\"")
                .replace("app-secret", "rotated-secret")));
        errors.sendFailed(new ExecutionException(new SaslAuthenticationException("Authentication failed")), 1);

        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("as User:app ");
        assertThat(lines.get(1)).as("the new credentials' own failure").contains("as User:app-2 ")
                .doesNotContain("rotated-secret");

        errors.settingsChanged(Map.of("sasl.jaas.config", JAAS));   // the right ones now: the first send succeeds
        errors.sent();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).isEqualTo("INFO Status topic breakwater-status written again; publishing held events");
    }
}
