package io.breakwater.spring;

import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.spring.internal.ReadinessGroup;
import io.breakwater.status.StatusReader;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Breakwater in Actuator: the {@code breakwater} health indicator ({@link BreakwaterHealthIndicator}) and the
 * {@code breakwater} endpoint ({@link BreakwaterEndpoint}). Each backs off when the application defines its own.
 */
// After Boot's probe groups are made: the readiness group this adds to is theirs. Boot's post-processor of the groups
// is ordered last, and so is this one (no order): post-processors of equal order run in the order their beans were
// defined, which this ordering of the auto-configurations makes Boot's first.
@AutoConfiguration(after = {BreakwaterAutoConfiguration.class, BreakwaterKafkaAutoConfiguration.class},
        afterName = "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration")
@ConditionalOnBean(CircuitBreakerRegistry.class)
public class BreakwaterActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("breakwater")
    static class Health {

        @Bean
        @ConditionalOnMissingBean(name = "breakwaterHealthIndicator")
        BreakwaterHealthIndicator breakwaterHealthIndicator(CircuitBreakerRegistry registry) {
            return new BreakwaterHealthIndicator(registry);
        }

        /** The indicator in the readiness group, where Boot made that group (see {@link ReadinessGroup}). */
        @Bean
        static ReadinessGroup breakwaterReadinessGroup(Environment env) {
            return new ReadinessGroup(env);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
    @ConditionalOnAvailableEndpoint(BreakwaterEndpoint.class)
    static class Management {

        @Bean
        @ConditionalOnMissingBean
        BreakwaterEndpoint breakwaterEndpoint(CircuitBreakerRegistry registry, ObjectProvider<StatusReader> fleet) {
            return new BreakwaterEndpoint(registry, fleet.getIfAvailable());
        }
    }
}
