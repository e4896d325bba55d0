package io.breakwater.spring.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerBuilder;
import io.breakwater.spring.BreakwaterProperties;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.springframework.kafka.core.ProducerPostProcessor;

/**
 * Wraps each raw producer that Spring Kafka's factory creates: in a {@link CircuitBreakerProducer} (mode ENFORCE)
 * or an {@link ObservingProducer} (mode OBSERVE). The factory then wraps the result in its own close-safe proxy,
 * so transactions, producer-per-thread and the template's features stay as they are. The wrapper gets the factory's
 * properties, read as each producer is wrapped, so that the ERROR it logs when the cluster refuses the credentials
 * names the principal (never a password). Thread-safe.
 */
public final class GuardPostProcessor<K, V> implements ProducerPostProcessor<K, V> {

    private final CircuitBreaker breaker;
    private final BreakwaterProperties.Guard guard;
    private final Supplier<? extends Map<String, ?>> producerConfig;

    /**
     * @param producerConfig the properties the factory makes its producers with (its
     *        {@code getConfigurationProperties()}), read as each producer is wrapped
     */
    public GuardPostProcessor(CircuitBreaker breaker, BreakwaterProperties.Guard guard,
            Supplier<? extends Map<String, ?>> producerConfig) {
        this.breaker = Objects.requireNonNull(breaker, "breaker");
        this.guard = Objects.requireNonNull(guard, "guard");
        this.producerConfig = Objects.requireNonNull(producerConfig, "producerConfig");
    }

    /** The guarded producer; if it cannot be made, {@code producer} is closed at once and the failure thrown. */
    @Override
    public Producer<K, V> apply(Producer<K, V> producer) {
        try {
            if (guard.getMode() == BreakwaterProperties.Mode.OBSERVE) {
                return new ObservingProducer<>(producer, breaker);
            }
            CircuitBreakerProducerBuilder<K, V> b = CircuitBreakerProducer.builder(producer).breaker(breaker);
            Map<String, ?> config = producerConfig.get();
            if (config != null) {
                b.producerConfig(config);
            }
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
