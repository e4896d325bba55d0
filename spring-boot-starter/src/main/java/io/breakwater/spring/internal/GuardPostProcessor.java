package io.breakwater.spring.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerBuilder;
import io.breakwater.spring.BreakwaterProperties;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.kafka.core.ProducerPostProcessor;

/**
 * Wraps each raw producer that Spring Kafka's factory creates: in a {@link CircuitBreakerProducer} (mode ENFORCE)
 * or an {@link ObservingProducer} (mode OBSERVE). The factory then wraps the result in its own close-safe proxy,
 * so transactions, producer-per-thread and the template's features stay as they are. Thread-safe.
 */
public final class GuardPostProcessor<K, V> implements ProducerPostProcessor<K, V> {

    private final CircuitBreaker breaker;
    private final BreakwaterProperties.Guard guard;

    public GuardPostProcessor(CircuitBreaker breaker, BreakwaterProperties.Guard guard) {
        this.breaker = Objects.requireNonNull(breaker, "breaker");
        this.guard = Objects.requireNonNull(guard, "guard");
    }

    /** The guarded producer; if it cannot be made, {@code producer} is closed at once and the failure thrown. */
    @Override
    public Producer<K, V> apply(Producer<K, V> producer) {
        try {
            if (guard.getMode() == BreakwaterProperties.Mode.OBSERVE) {
                return new ObservingProducer<>(producer, breaker);
            }
            CircuitBreakerProducerBuilder<K, V> b = CircuitBreakerProducer.builder(producer).breaker(breaker);
            if (guard.getSendBlockThreshold() != null) {
                b.sendBlockThreshold(guard.getSendBlockThreshold());
            }
            if (guard.getInFlightThreshold() != null) {
                b.inFlightThreshold(guard.getInFlightThreshold());
            }
            return b.build();
        } catch (RuntimeException | Error e) {
            // The factory never sees this producer, so nothing else would close it.
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException | Error closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }
}
