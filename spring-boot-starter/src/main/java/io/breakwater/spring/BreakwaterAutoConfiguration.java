package io.breakwater.spring;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.metrics.BreakerMetrics;
import io.breakwater.spring.internal.GuardPostProcessor;
import io.breakwater.spring.internal.KafkaAbsentCheck;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Breakwater for a Spring Boot application: the breakers of {@code breakwater.*}, the guard of Spring Kafka's
 * auto-configured producer factory, and the breakers' meters in Boot's {@code MeterRegistry}. Each bean backs off
 * when the application defines its own; {@code breakwater.enabled=false} turns it all off.
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
@ConditionalOnProperty(prefix = "breakwater", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(BreakwaterProperties.class)
public class BreakwaterAutoConfiguration {

    /** The bean name of the guard's producer factory customizer; define a bean of that name to replace it. */
    public static final String GUARD_CUSTOMIZER = "breakwaterProducerFactoryCustomizer";

    @Bean
    @ConditionalOnMissingBean
    public CircuitBreakerRegistry breakwaterRegistry() {
        return new CircuitBreakerRegistry();
    }

    @Bean
    @ConditionalOnMissingBean
    public BreakwaterBreakers breakwaterBreakers(CircuitBreakerRegistry registry, BreakwaterProperties properties) {
        return new BreakwaterBreakers(registry, properties);
    }

    /** A warning when {@code breakwater.status.*} or {@code breakwater.event-bus.*} is on without Spring Kafka's beans. */
    @Bean
    static KafkaAbsentCheck breakwaterKafkaAbsentCheck(ListableBeanFactory beans, Environment env) {
        return new KafkaAbsentCheck(beans, env);
    }

    /** The guard of the producers of Spring Kafka's auto-configured {@code DefaultKafkaProducerFactory}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({KafkaTemplate.class, DefaultKafkaProducerFactoryCustomizer.class})
    @ConditionalOnProperty(prefix = "breakwater.guard", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class Guard {

        @Bean(GUARD_CUSTOMIZER)
        @ConditionalOnMissingBean(name = GUARD_CUSTOMIZER)
        DefaultKafkaProducerFactoryCustomizer breakwaterProducerFactoryCustomizer(BreakwaterBreakers breakers,
                BreakwaterProperties properties) {
            BreakwaterProperties.Guard guard = properties.getGuard();
            CircuitBreaker breaker = breakers.breaker(guard.getBreakerName());
            return factory -> guard(factory, breaker, guard);
        }

        private static <K, V> void guard(DefaultKafkaProducerFactory<K, V> factory, CircuitBreaker breaker,
                BreakwaterProperties.Guard guard) {
            factory.addPostProcessor(new GuardPostProcessor<K, V>(breaker, guard, factory::getConfigurationProperties));
        }
    }

    /** Every breaker of the registry, now and later, bound to Boot's MeterRegistry (Boot binds MeterBinders). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean
        BreakerMetrics breakwaterMetrics(CircuitBreakerRegistry registry, BreakwaterProperties properties) {
            return BreakerMetrics.of(registry).withMaxBreakers(properties.getMetrics().getMaxBreakers());
        }
    }
}
