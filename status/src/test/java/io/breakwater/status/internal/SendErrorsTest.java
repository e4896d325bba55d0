package io.breakwater.status.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class SendErrorsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"app\" password=\"app-secret\";";

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
}
