package io.breakwater.spring;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.EventBusBuilder;
import io.breakwater.spring.internal.GatedErrorHandler;
import io.breakwater.spring.internal.KafkaClientSettings;
import io.breakwater.spring.internal.ListenerGates;
import io.breakwater.spill.SpillStore;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.status.StatusPublisher;
import io.breakwater.status.StatusReader;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;

/**
 * The status publisher, the {@link RedpandaTransport} and the {@link EventBus}, connected where the application's
 * producers are (Boot's {@link KafkaConnectionDetails}, over {@code spring.kafka.*}) with their security settings,
 * but with client ids of their own and without the application's interceptors. Each is off unless enabled
 * ({@code breakwater.status.enabled}, {@code breakwater.event-bus.enabled}), and backs off when the application
 * defines its own.
 */
@AutoConfiguration(after = {BreakwaterAutoConfiguration.class, KafkaAutoConfiguration.class})
@ConditionalOnClass(KafkaProperties.class)
@ConditionalOnBean({BreakwaterBreakers.class, KafkaProperties.class})
@EnableConfigurationProperties(BreakwaterKafkaProperties.class)
public class BreakwaterKafkaAutoConfiguration {

    /** The listener gates, and an error handler that never skips a record because a dependency was away. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(KafkaListenerEndpointRegistry.class)
    static class Listeners {

        @Bean
        @ConditionalOnBean(KafkaListenerEndpointRegistry.class)
        @ConditionalOnMissingBean
        ListenerGates breakwaterListenerGates(KafkaListenerEndpointRegistry endpoints, BreakwaterBreakers breakers,
                BreakwaterKafkaProperties properties, ObjectProvider<EventBus> bus) {
            Map<String, String> gates = new LinkedHashMap<>();
            properties.getListeners().forEach((id, gate) -> gates.put(id, gate.getPauseOn()));
            return new ListenerGates(endpoints, name -> gateBreaker(name, breakers, bus), gates);
        }

        /**
         * Spring Kafka's default error handler (10 deliveries, then the recoverer), except that a failure caused by a
         * dependency that is away never makes a record skipped: see {@link GatedErrorHandler}. The application's
         * {@link ConsumerRecordRecoverer} bean, if it has one, takes the records that are not retried any more;
         * without one they are logged and skipped.
         */
        @Bean
        @ConditionalOnMissingBean(CommonErrorHandler.class)
        GatedErrorHandler breakwaterErrorHandler(BreakwaterKafkaProperties properties, BreakwaterBreakers breakers,
                ObjectProvider<ConsumerRecordRecoverer> recoverer, ObjectProvider<EventBus> bus) {
            Map<String, CircuitBreaker> gates = new LinkedHashMap<>();
            properties.getListeners().forEach((id, gate) -> gates.put(id, gateBreaker(gate.getPauseOn(), breakers, bus)));
            return new GatedErrorHandler(recoverer.getIfUnique(), gates);
        }

        /**
         * The breaker a gate pauses on: a stream's ({@code eventbus-<stream>}) is the bus's own, asked of the bus, as it
         * has the bus's state store when status is published (one made apart would clash with it); any other from
         * {@code breakers}.
         */
        private static CircuitBreaker gateBreaker(String name, BreakwaterBreakers breakers, ObjectProvider<EventBus> bus) {
            EventBus events = bus.getIfAvailable();
            String prefix = BreakerPresets.KAFKA_CHANNEL_PREFIX;
            return events != null && name != null && name.startsWith(prefix) && name.length() > prefix.length()
                    ? events.channelBreaker(name.substring(prefix.length())) : breakers.breaker(name);
        }
    }

    /** Where and how the application's producers connect: the connection details, over spring.kafka.*. */
    private static KafkaClientSettings settings(KafkaProperties kafka, ObjectProvider<KafkaConnectionDetails> connection,
            Environment env) {
        return KafkaClientSettings.of(kafka, connection.getIfAvailable(),
                env.getProperty("spring.application.name", "application"));
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(StatusPublisher.class)
    @ConditionalOnProperty(prefix = "breakwater.status", name = "enabled", havingValue = "true")
    static class Status {

        /** Publishes every breaker of the registry, now and later; closed with the context. */
        @Bean
        @ConditionalOnMissingBean
        StatusPublisher breakwaterStatusPublisher(KafkaProperties kafka,
                ObjectProvider<KafkaConnectionDetails> connection, BreakwaterKafkaProperties properties,
                CircuitBreakerRegistry registry, Environment env) {
            BreakwaterKafkaProperties.Status status = properties.getStatus();
            String instance = status.getInstanceId() != null ? status.getInstanceId() : instanceId(env);
            StatusPublisher publisher = StatusPublisher.create(settings(kafka, connection, env).statusClients(),
                    status.getTopic(), instance);
            publisher.attach(registry);
            return publisher;
        }

        private static String instanceId(Environment env) {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "unknown-host";
            }
            return env.getProperty("spring.application.name", "application") + "-" + host + "-"
                    + ProcessHandle.current().pid();
        }
    }

    /** The fleet view, whether or not this instance publishes its own breakers (breakwater.status.enabled). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(StatusReader.class)
    @ConditionalOnProperty(prefix = "breakwater.status", name = "fleet-view", havingValue = "true")
    static class FleetView {

        /** Reads the status topic for the endpoint's fleet view; closed with the context. */
        @Bean
        @ConditionalOnMissingBean
        StatusReader breakwaterStatusReader(KafkaProperties kafka, ObjectProvider<KafkaConnectionDetails> connection,
                BreakwaterKafkaProperties properties, Environment env) {
            return StatusReader.start(settings(kafka, connection, env).statusClients(),
                    properties.getStatus().getTopic());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(EventBus.class)
    @ConditionalOnProperty(prefix = "breakwater.event-bus", name = "enabled", havingValue = "true")
    static class Bus {

        @Bean
        @ConditionalOnMissingBean
        RedpandaTransport breakwaterTransport(KafkaProperties kafka, ObjectProvider<KafkaConnectionDetails> connection,
                BreakwaterKafkaProperties properties, BreakwaterBreakers breakers, Environment env) {
            String name = properties.getEventBus().getTransportBreakerName();
            return RedpandaTransport.builder(settings(kafka, connection, env).transport())
                    .breaker(breakers.breaker(name))
                    .build();
        }

        /**
         * The streams' breakers get the application's breaker settings ({@code breakwater.breaker.*}, and
         * {@code breakwater.breakers.eventbus-<stream>.*} per stream), as every other breaker; the spill comes from
         * {@link BusSpill}, when breakwater-spill is on the class path.
         */
        @Bean
        @ConditionalOnMissingBean
        EventBus breakwaterEventBus(RedpandaTransport transport, BreakwaterKafkaProperties properties,
                BreakwaterBreakers breakers, ObjectProvider<StatusPublisher> status,
                ObjectProvider<BusSpill.Wiring> spill) {
            EventBusBuilder bus = EventBus.builder(transport).registry(breakers.registry())
                    .topicPrefix(properties.getEventBus().getTopicPrefix())
                    .defaultChannelConfig(breakers.defaults(BreakerPresets.KAFKA_CHANNEL_PREFIX + "default"));
            for (String name : breakers.configuredNames()) {
                if (name.startsWith(BreakerPresets.KAFKA_CHANNEL_PREFIX)
                        && name.length() > BreakerPresets.KAFKA_CHANNEL_PREFIX.length()) {
                    String stream = name.substring(BreakerPresets.KAFKA_CHANNEL_PREFIX.length());
                    try {
                        bus.channelConfig(stream, breakers.config(name));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("breakwater.breakers." + name + ": " + e.getMessage(), e);
                    }
                }
            }
            status.ifAvailable(bus::statusPublisher);
            spill.ifAvailable(wiring -> wiring.accept(bus));
            return bus.build();
        }
    }

    /**
     * The EventBus's spill, in a configuration of its own: breakwater-spill is an optional dependency, and without it
     * on the class path no class of it may be named by a bean method Spring reads.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.breakwater.eventbus.EventBus", "io.breakwater.spill.SqliteSpillStore"})
    @ConditionalOnProperty(prefix = "breakwater.event-bus", name = "enabled", havingValue = "true")
    static class BusSpill {

        /** Gives the bus its spill: the application's {@code SpillStore} bean, or the SQLite file below. */
        interface Wiring extends Consumer<EventBusBuilder> {
        }

        /** A SQLite spill, when breakwater.event-bus.spill-path is set; the bus closes it. */
        @Bean(destroyMethod = "")
        @ConditionalOnMissingBean
        @ConditionalOnProperty(prefix = "breakwater.event-bus", name = "spill-path")
        SpillStore breakwaterSpill(BreakwaterKafkaProperties properties) {
            BreakwaterKafkaProperties.Bus bus = properties.getEventBus();
            SqliteSpillStore.Builder spill = SqliteSpillStore.builder(bus.getSpillPath());
            if (bus.getSpillMaxEvents() != null) {
                spill.maxEvents(bus.getSpillMaxEvents());
            }
            return spill.open();
        }

        /** Spills to the application's SpillStore bean, if there is one (such as a JdbcSpillStore). */
        @Bean
        Wiring breakwaterSpillWiring(ObjectProvider<SpillStore> spill) {
            return bus -> spill.ifAvailable(bus::spill);
        }
    }
}
