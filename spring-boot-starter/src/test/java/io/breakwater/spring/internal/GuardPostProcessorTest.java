package io.breakwater.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.spring.BreakwaterProperties;
import java.time.Duration;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class GuardPostProcessorTest {

    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.ofDefaults("kafka-template"));
    private final MockProducer<String, String> raw =
            new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());

    @Test
    void wrapsEachProducerOfTheFactoryInTheGuard() {
        Producer<String, String> guarded = new GuardPostProcessor<String, String>(breaker,
                new BreakwaterProperties.Guard()).apply(raw);
        assertThat(guarded).isInstanceOf(CircuitBreakerProducer.class);
        guarded.close(Duration.ZERO);
    }

    @Test
    void aGuardThatCannotBeBuiltClosesTheRawProducerBeforeItThrows() {
        // Properties that were never bound, so never checked: the wrapper's builder refuses the threshold.
        BreakwaterProperties.Guard guard = new BreakwaterProperties.Guard();
        guard.setInFlightThreshold(Duration.ZERO);
        assertThatThrownBy(() -> new GuardPostProcessor<String, String>(breaker, guard).apply(raw))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("inFlightThreshold must be > 0, but was PT0S");
        assertThat(raw.closed()).as("the raw producer, which the factory never got").isTrue();
    }
}
