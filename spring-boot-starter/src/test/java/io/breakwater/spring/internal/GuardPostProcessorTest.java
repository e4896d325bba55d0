package io.breakwater.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.spring.BreakwaterProperties;
import io.breakwater.testsupport.LogLines;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class GuardPostProcessorTest {

    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.ofDefaults("kafka-template"));
    private final MockProducer<String, String> raw =
            new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());

    @Test
    void wrapsEachProducerOfTheFactoryInTheGuard() {
        Producer<String, String> guarded = new GuardPostProcessor<String, String>(breaker,
                new BreakwaterProperties.Guard(), Map::of).apply(raw);
        assertThat(guarded).isInstanceOf(CircuitBreakerProducer.class);
        guarded.close(Duration.ZERO);
    }

    @Test
    void aRefusalOfTheCredentialsIsLoggedNamingThePrincipalOfTheFactorysProperties() {
        String clientId = "orders-" + UUID.randomUUID();
        Map<String, Object> factoryConfig = new HashMap<>(Map.of("client.id", clientId, "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule "
                        + "required username=\"orders-app\" password=\"s3cret p@ssword\";"));
        MockProducer<String, String> refused = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
        GuardPostProcessor<String, String> postProcessor = new GuardPostProcessor<>(breaker, new BreakwaterProperties.Guard(),
                () -> factoryConfig);
        // Read as the producer is wrapped: a change the factory made since (updateConfigs) is seen.
        factoryConfig.put("client.id", clientId + "-1");
        Producer<String, String> guarded = postProcessor.apply(refused);
        LogLines log = LogLines.fromNow();
        Future<RecordMetadata> sent = guarded.send(new ProducerRecord<>("orders", "k", "v"));
        refused.errorNext(new SaslAuthenticationException("Authentication failed during authentication due to invalid "
                + "credentials with SASL mechanism SCRAM-SHA-512"));
        assertThatThrownBy(() -> sent.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(SaslAuthenticationException.class);
        assertThat(log.containing("Kafka refused the credentials of producer '" + clientId + "-1'")).singleElement()
                .asString().contains(" ERROR ").contains("principal 'orders-app' (SCRAM-SHA-512 over SASL_SSL)")
                .doesNotContain("principal unknown").doesNotContain("s3cret");
        guarded.close(Duration.ZERO);
    }

    @Test
    void aGuardThatCannotBeBuiltClosesTheRawProducerBeforeItThrows() {
        // Properties that were never bound, so never checked: the wrapper's builder refuses the threshold.
        BreakwaterProperties.Guard guard = new BreakwaterProperties.Guard();
        guard.setInFlightThreshold(Duration.ZERO);
        assertThatThrownBy(() -> new GuardPostProcessor<String, String>(breaker, guard, Map::of).apply(raw))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("inFlightThreshold must be > 0, but was PT0S");
        assertThat(raw.closed()).as("the raw producer, which the factory never got").isTrue();
    }
}
