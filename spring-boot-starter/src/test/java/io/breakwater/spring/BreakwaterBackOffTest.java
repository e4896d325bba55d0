package io.breakwater.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.eventbus.EventBus;
import io.breakwater.metrics.BreakerMetrics;
import io.breakwater.spill.SpillStore;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.spring.internal.ListenerGates;
import io.breakwater.status.StatusPublisher;
import io.breakwater.status.StatusReader;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;

/**
 * Every bean of the auto-configuration backs off when the application defines its own: each case turns on what
 * makes the starter's bean, defines the application's, and finds the application's alone. The cases run side by side
 * (each has a context of its own): a context with a status publisher waits up to its close timeout (5 s) to publish
 * its last state to the closed port they all point at.
 */
@Execution(ExecutionMode.CONCURRENT)
class BreakwaterBackOffTest {

    private static final Map<String, Object> CLOSED_PORT = Map.of("bootstrap.servers", "127.0.0.1:1");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BreakwaterAutoConfiguration.class, KafkaAutoConfiguration.class,
                    BreakwaterKafkaAutoConfiguration.class, BreakwaterActuatorAutoConfiguration.class,
                    EndpointAutoConfiguration.class, MetricsAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
            .withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1",
                    "management.endpoints.web.exposure.include=breakwater");

    static Stream<Arguments> beans() {
        return Stream.of(
                Arguments.of(CircuitBreakerRegistry.class, OwnRegistry.class, new String[0]),
                Arguments.of(BreakwaterBreakers.class, OwnBreakers.class, new String[0]),
                Arguments.of(DefaultKafkaProducerFactoryCustomizer.class, OwnCustomizer.class, new String[0]),
                Arguments.of(BreakerMetrics.class, OwnMetrics.class, new String[0]),
                Arguments.of(ListenerGates.class, OwnGates.class, new String[0]),
                Arguments.of(CommonErrorHandler.class, OwnErrorHandler.class, new String[0]),
                Arguments.of(StatusPublisher.class, OwnStatusPublisher.class,
                        new String[] {"breakwater.status.enabled=true"}),
                // The fleet view alone: an instance may read the fleet without publishing its own breakers.
                Arguments.of(StatusReader.class, OwnStatusReader.class, new String[] {"breakwater.status.fleet-view=true"}),
                Arguments.of(RedpandaTransport.class, OwnTransport.class,
                        new String[] {"breakwater.event-bus.enabled=true"}),
                Arguments.of(SpillStore.class, OwnSpill.class, new String[] {"breakwater.event-bus.enabled=true",
                        "breakwater.event-bus.spill-path=" + tempDir().resolve("starter-spill.db")}),
                Arguments.of(EventBus.class, OwnEventBus.class, new String[] {"breakwater.event-bus.enabled=true"}),
                Arguments.of(HealthIndicator.class, OwnHealthIndicator.class, new String[0]),
                Arguments.of(BreakwaterEndpoint.class, OwnEndpoint.class, new String[0]));
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("starter-back-off-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Without the application's bean, the same settings make the starter's: so the back-off is what removes it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("beans")
    void makesTheBeanWhenTheApplicationHasNone(Class<?> type, Class<?> own, String[] properties) {
        runner.withPropertyValues(properties).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBeansOfType(type).keySet()).as("beans of %s", type.getSimpleName())
                    .singleElement().asString().startsWith("breakwater");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("beans")
    void backsOffForTheApplicationsOwnBean(Class<?> type, Class<?> own, String[] properties) {
        runner.withUserConfiguration(own).withPropertyValues(properties).run(context -> {
            assertThat(context).hasNotFailed();
            // The application's bean is called "mine", or has the starter's name where the starter looks for a name.
            Map<String, ?> beans = context.getBeansOfType(type);
            assertThat(beans).as("beans of %s", type.getSimpleName()).hasSize(1);
            Map.Entry<String, ?> bean = beans.entrySet().iterator().next();
            if (!bean.getKey().equals("mine")) {
                assertThat(bean.getValue()).as(bean.getKey()).isInstanceOfAny(NoGuard.class, OwnIndicator.class);
            }
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRegistry {
        @Bean
        CircuitBreakerRegistry mine() {
            return new CircuitBreakerRegistry();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBreakers {
        @Bean
        BreakwaterBreakers mine() {
            return new BreakwaterBreakers(new CircuitBreakerRegistry(), new BreakwaterProperties());
        }

    }

    static final class NoGuard implements DefaultKafkaProducerFactoryCustomizer {
        @Override
        public void customize(org.springframework.kafka.core.DefaultKafkaProducerFactory<?, ?> factory) {
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnCustomizer {
        @Bean(BreakwaterAutoConfiguration.GUARD_CUSTOMIZER)
        DefaultKafkaProducerFactoryCustomizer mine() {
            return new NoGuard();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnMetrics {
        @Bean
        BreakerMetrics mine() {
            return BreakerMetrics.of(new CircuitBreakerRegistry());
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnGates {
        @Bean
        ListenerGates mine(KafkaListenerEndpointRegistry endpoints, BreakwaterBreakers breakers) {
            return new ListenerGates(endpoints, breakers, Map.of());
        }

    }

    static final class OwnHandler extends DefaultErrorHandler {
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnErrorHandler {
        @Bean
        CommonErrorHandler mine() {
            return new OwnHandler();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnStatusPublisher {
        @Bean
        StatusPublisher mine() {
            return StatusPublisher.create(CLOSED_PORT, "own-status", "own-instance");
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnStatusReader {
        @Bean
        StatusReader mine() {
            return StatusReader.start(CLOSED_PORT, "own-status");
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnTransport {
        @Bean
        RedpandaTransport mine() {
            return RedpandaTransport.builder(CLOSED_PORT).build();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnSpill {
        @Bean
        SpillStore mine() {
            return SqliteSpillStore.builder(tempDir().resolve("own-spill.db")).open();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEventBus {
        @Bean
        EventBus mine(RedpandaTransport transport) {
            return EventBus.builder(transport).build();
        }

    }

    static final class OwnIndicator implements HealthIndicator {
        @Override
        public Health health() {
            return Health.up().build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnHealthIndicator {
        @Bean("breakwaterHealthIndicator")
        HealthIndicator mine() {
            return new OwnIndicator();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEndpoint {
        @Bean
        BreakwaterEndpoint mine(CircuitBreakerRegistry registry) {
            return new BreakwaterEndpoint(registry);
        }

    }
}
