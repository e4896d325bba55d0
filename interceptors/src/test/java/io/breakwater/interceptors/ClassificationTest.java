package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.status.StatusClients;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class ClassificationTest {

    private final FailureClassifier classifier = FailureClassifier.kafkaDefault();

    @Test
    void availabilityFailuresCount() {
        assertThat(classifier.countsAsFailure(new TimeoutException("t"))).isTrue();
        assertThat(classifier.countsAsFailure(new NetworkException("n"))).isTrue();
        assertThat(classifier.countsAsFailure(new NotEnoughReplicasException("r"))).isTrue();
        assertThat(classifier.countsAsFailure(new NotEnoughReplicasAfterAppendException("r"))).isTrue();
        assertThat(classifier.countsAsFailure(new NotLeaderOrFollowerException("l"))).isTrue();
        assertThat(classifier.countsAsFailure(new DisconnectException("d"))).isTrue();
        assertThat(classifier.countsAsFailure(new BufferExhaustedException("b"))).isTrue();
        assertThat(classifier.countsAsFailure(new ExecutionException(new TimeoutException("wrapped")))).isTrue();
    }

    @Test
    void callerErrorsDoNotCount() {
        assertThat(classifier.countsAsFailure(new SerializationException("s"))).isFalse();
        assertThat(classifier.countsAsFailure(new RecordTooLargeException("r"))).isFalse();
        assertThat(classifier.countsAsFailure(new InvalidTopicException("i"))).isFalse();
        assertThat(classifier.countsAsFailure(new TopicAuthorizationException("a"))).isFalse();
        assertThat(classifier.countsAsFailure(new SaslAuthenticationException("a"))).isFalse();
        assertThat(classifier.countsAsFailure(new ExecutionException(new SerializationException("wrapped")))).isFalse();
    }

    @Test
    void statusClientsInheritSecurityButNotTheRest() {
        Map<String, Object> inherited = StatusClients.inherit(Map.of(
                "bootstrap.servers", "localhost:9092",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"p\";",
                "ssl.truststore.location", "/etc/truststore",
                "interceptor.classes", "io.breakwater.interceptors.CircuitBreakerProducerInterceptor",
                "acks", "0"), null, BreakwaterConfig.STATUS_BOOTSTRAP_SERVERS_CONFIG, "the Breakwater status publisher");
        assertThat(inherited).containsOnlyKeys("bootstrap.servers", "security.protocol", "sasl.mechanism", "sasl.jaas.config",
                "ssl.truststore.location");
    }

    @Test
    void aSeparateStatusClusterReplacesTheBootstrapOnly() {
        Map<String, Object> inherited = StatusClients.inherit(Map.of("bootstrap.servers", "app:9092",
                "security.protocol", "SSL"), "localhost:9092, 127.0.0.1:9093", BreakwaterConfig.STATUS_BOOTSTRAP_SERVERS_CONFIG,
                "the Breakwater status publisher");
        assertThat(inherited).containsEntry("bootstrap.servers", "localhost:9092,127.0.0.1:9093").containsEntry("security.protocol", "SSL");
    }

    @Test
    void noUsableBootstrapIsAClearError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StatusClients.inherit(Map.of(), null,
                        BreakwaterConfig.STATUS_BOOTSTRAP_SERVERS_CONFIG, "the Breakwater status publisher"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bootstrap.servers")
                .hasMessageContaining("breakwater.status.enabled=false");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StatusClients.inherit(Map.of("bootstrap.servers", "no-port"),
                        null, BreakwaterConfig.STATUS_BOOTSTRAP_SERVERS_CONFIG, "the Breakwater status publisher"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no usable bootstrap server");
    }

    @Test
    void aReaderWithAnUnresolvableHostSaysItIsTheReader() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.breakwater.status.StatusReader.start(
                        Map.of("bootstrap.servers", "no-such-host.invalid:9092"), "breakwater-status"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("the Breakwater status reader")
                .hasMessageNotContaining("publisher");
    }

    @Test
    void forcedCloseAndTheCallersOwnAbortDoNotCount() {
        assertThat(classifier.countsAsFailure(new org.apache.kafka.common.KafkaException("Producer is closed forcefully."))).isFalse();
        assertThat(classifier.countsAsFailure(new org.apache.kafka.common.KafkaException("Producer closed while send in progress")))
                .isFalse();
        assertThat(classifier.countsAsFailure(new org.apache.kafka.common.errors.TransactionAbortedException("aborted"))).isFalse();
        assertThat(classifier.countsAsFailure(new org.apache.kafka.common.KafkaException("anything else"))).isTrue();
    }

    @Test
    void theSendsOfATransactionAnEarlierErrorDoomedDoNotCountWhateverThatErrorWas() {
        // Kafka's answer to each send after an error put the transaction in its abortable state: the caller must abort.
        String inError = "Cannot execute transactional method because we are in an error state";
        assertThat(classifier.countsAsFailure(new org.apache.kafka.common.KafkaException(inError,
                new org.apache.kafka.common.errors.RecordTooLargeException("too large")))).isFalse();
        assertThat(classifier.countsAsFailure(new org.apache.kafka.common.KafkaException(inError,
                new org.apache.kafka.common.errors.TimeoutException("expired")))).isFalse();
        assertThat(classifier.countsAsFailure(new java.util.concurrent.ExecutionException(
                new org.apache.kafka.common.KafkaException(inError, null)))).isFalse();
        assertThat(classifier.countsAsFailure(new org.apache.kafka.common.KafkaException(inError + " (another)"))).isTrue();
    }
}
