package io.breakwater.spring;

import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.EventBusBuilder;
import io.breakwater.spring.internal.KafkaClientSettings;
import io.breakwater.status.StatusPublisher;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The status publisher, the {@link RedpandaTransport} and the {@link EventBus}, with the Kafka settings of
 * {@code spring.kafka.*}: bootstrap servers, security and the extra properties. Each is off unless enabled
 * ({@code breakwater.status.enabled}, {@code breakwater.event-bus.enabled}), and backs off when the application
 * defines its own.
 */
@AutoConfiguration(after = {BreakwaterAutoConfiguration.class, KafkaAutoConfiguration.class})
@ConditionalOnClass(KafkaProperties.class)
@ConditionalOnBean({BreakwaterBreakers.class, KafkaProperties.class})
@EnableConfigurationProperties(BreakwaterKafkaProperties.class)
public class BreakwaterKafkaAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(StatusPublisher.class)
    @ConditionalOnProperty(prefix = "breakwater.status", name = "enabled", havingValue = "true")
    static class Status {

        /** Publishes every breaker of the registry, now and later; closed with the context. */
        @Bean
        @ConditionalOnMissingBean
        StatusPublisher breakwaterStatusPublisher(KafkaProperties kafka, BreakwaterKafkaProperties properties,
                CircuitBreakerRegistry registry, Environment env) {
            BreakwaterKafkaProperties.Status status = properties.getStatus();
            String instance = status.getInstanceId() != null ? status.getInstanceId() : instanceId(env);
            StatusPublisher publisher = StatusPublisher.create(KafkaClientSettings.producer(kafka),
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

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(EventBus.class)
    @ConditionalOnProperty(prefix = "breakwater.event-bus", name = "enabled", havingValue = "true")
    static class Bus {

        @Bean
        @ConditionalOnMissingBean
        RedpandaTransport breakwaterTransport(KafkaProperties kafka, BreakwaterKafkaProperties properties,
                BreakwaterBreakers breakers) {
            String name = properties.getEventBus().getTransportBreakerName();
            return RedpandaTransport.builder(KafkaClientSettings.producer(kafka))
                    .breaker(breakers.breaker(name))
                    .build();
        }

        @Bean
        @ConditionalOnMissingBean
        EventBus breakwaterEventBus(RedpandaTransport transport, BreakwaterKafkaProperties properties,
                CircuitBreakerRegistry registry, ObjectProvider<StatusPublisher> status) {
            EventBusBuilder bus = EventBus.builder(transport).registry(registry)
                    .topicPrefix(properties.getEventBus().getTopicPrefix());
            status.ifAvailable(bus::statusPublisher);
            return bus.build();
        }
    }
}
