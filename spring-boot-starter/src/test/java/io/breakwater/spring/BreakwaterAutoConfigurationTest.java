package io.breakwater.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.metrics.BreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.spill.SpillStore;
import io.breakwater.spring.internal.KafkaClientSettings;
import io.breakwater.status.StatusPublisher;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.kafka.autoconfigure.SslBundleSslEngineFactory;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslStoreBundle;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.status.StatusClients;
import io.breakwater.testsupport.LogLines;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerPostProcessor;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SaslAuthenticationException;

/** The auto-configuration without a broker: the bootstrap address is a closed port. */
class BreakwaterAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BreakwaterAutoConfiguration.class, KafkaAutoConfiguration.class))
            .withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1",
                    "spring.kafka.producer.properties.max.block.ms=60000");

    @Test
    void isRegisteredInTheAutoConfigurationImports() {
        assertThat(ImportCandidates.load(org.springframework.boot.autoconfigure.AutoConfiguration.class,
                getClass().getClassLoader()).getCandidates())
                .contains(BreakwaterAutoConfiguration.class.getName());
    }

    @Test
    void aSendFailsAtOnceWithTheBreakerOpenThroughTheAutoConfiguredTemplate() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            CircuitBreaker breaker = context.getBean(BreakwaterBreakers.class).breaker("kafka-template");
            breaker.forceOpen("test");
            @SuppressWarnings("unchecked")
            KafkaTemplate<Object, Object> template = context.getBean(KafkaTemplate.class);
            long start = System.nanoTime();
            // The wrapper's future has failed already, so Spring Kafka throws at once instead of returning it.
            assertThatThrownBy(() -> template.send("orders", "k", "v"))
                    .isInstanceOf(KafkaException.class).hasMessage("Send failed")
                    .hasCauseInstanceOf(CircuitBreakerOpenException.class);
            // Kafka's producer would wait max.block.ms (60 s) for the closed port's metadata: the refusal comes at once.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
            assertThat(breaker.callStats().rejected()).isEqualTo(1);
        });
    }

    @Test
    void observeModeNeverRefusesAndCountsWhatAnEnforcingGuardWouldRefuse() {
        runner.withPropertyValues("breakwater.guard.mode=observe", "spring.kafka.producer.properties.max.block.ms=300").run(context -> {
            CircuitBreaker breaker = context.getBean(BreakwaterBreakers.class).breaker("kafka-template");
            @SuppressWarnings("unchecked")
            KafkaTemplate<Object, Object> template = context.getBean(KafkaTemplate.class);
            // The send reaches Kafka's producer, which gives up on the closed port after max.block.ms: one failure.
            assertThatThrownBy(() -> template.send("orders", "k", "v").get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
            assertThat(breaker.callStats().failed()).isEqualTo(1);

            // Forced open, the breaker refuses it, but the send reaches Kafka all the same; its outcome is not
            // recorded, as an enforcing guard would never have made it.
            breaker.forceOpen("test");
            assertThatThrownBy(() -> template.send("orders", "k", "v").get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
            assertThat(breaker.callStats().rejected()).isEqualTo(1);
            assertThat(breaker.callStats().failed()).isEqualTo(1);
        });
    }

    @Test
    void theGuardOfTheAutoConfiguredFactoryNamesThePrincipalWhenTheClusterRefusesTheCredentials() {
        String clientId = "orders-" + java.util.UUID.randomUUID();
        runner.withPropertyValues("spring.kafka.client-id=" + clientId, "spring.kafka.security.protocol=SASL_SSL",
                "spring.kafka.properties.sasl.mechanism=SCRAM-SHA-512",
                "spring.kafka.properties.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"orders-app\" password=\"s3cret p@ssword\";").run(context -> {
            @SuppressWarnings("unchecked")
            DefaultKafkaProducerFactory<String, String> factory = context.getBean(DefaultKafkaProducerFactory.class);
            MockProducer<String, String> refused = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
            Producer<String, String> guarded = refused;
            for (ProducerPostProcessor<String, String> postProcessor : factory.getPostProcessors()) {
                guarded = postProcessor.apply(guarded);
            }
            LogLines log = LogLines.fromNow();
            java.util.concurrent.Future<RecordMetadata> sent = guarded.send(new ProducerRecord<>("orders", "k", "v"));
            refused.errorNext(new SaslAuthenticationException("Authentication failed during authentication due to invalid "
                    + "credentials with SASL mechanism SCRAM-SHA-512"));
            assertThatThrownBy(() -> sent.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(SaslAuthenticationException.class);
            assertThat(log.containing("Kafka refused the credentials of producer '" + clientId)).singleElement().asString()
                    .contains("principal 'orders-app' (SCRAM-SHA-512 over SASL_SSL)").doesNotContain("s3cret");
            guarded.close(Duration.ZERO);
        });
    }

    /**
     * Without Spring Kafka's auto-configuration, the status and EventBus settings cannot take effect: the application
     * starts, and a warning names each setting that does nothing. With it, no such warning.
     */
    @Test
    void kafkaSettingsWithoutSpringKafkasAutoConfigurationAreNamedInAWarning() {
        LogLines log = LogLines.fromNow();
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BreakwaterAutoConfiguration.class,
                        BreakwaterKafkaAutoConfiguration.class))
                .withPropertyValues("breakwater.status.fleet-view=true", "breakwater.event-bus.enabled=TRUE",
                        "breakwater.status.enabled=false")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(BreakwaterBreakers.class);
                    assertThat(context).doesNotHaveBean(io.breakwater.status.StatusReader.class);
                });
        assertThat(log.containing("have no effect")).singleElement().asString().contains(" WARN ")
                .contains("breakwater.status.fleet-view=true, breakwater.event-bus.enabled=true")
                .doesNotContain("breakwater.status.enabled").contains("KafkaAutoConfiguration is excluded");

        LogLines withKafka = LogLines.fromNow();
        runner.withConfiguration(AutoConfigurations.of(BreakwaterKafkaAutoConfiguration.class))
                .withPropertyValues("breakwater.status.fleet-view=true")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(io.breakwater.status.StatusReader.class));
        assertThat(withKafka.containing("no effect")).isEmpty();
    }

    @Test
    void guardNamesItsBreakerAndTakesItsOverride() {
        runner.withPropertyValues("breakwater.guard.breaker-name=orders-out",
                "breakwater.breaker.failure-threshold=7", "breakwater.breakers.orders-out.reset-timeout=5s")
                .run(context -> {
                    CircuitBreakerRegistry registry = context.getBean(CircuitBreakerRegistry.class);
                    CircuitBreakerConfig config = registry.get("orders-out").orElseThrow().config();
                    assertThat(config.failureThreshold()).isEqualTo(7);
                    assertThat(config.resetTimeout()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(registry.get("kafka-template")).isEmpty();
                });
    }

    @Test
    void aBadDefaultStopsTheStartWithCircuitBreakerConfigsMessage() {
        String expected = messageOf(() -> CircuitBreakerConfig.builder("default").failureThreshold(0).build());
        runner.withPropertyValues("breakwater.breaker.failure-threshold=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(expected);
        });
    }

    @Test
    void aBadOverrideStopsTheStartNamingTheBreaker() {
        String expected = messageOf(() -> CircuitBreakerConfig.builder("orders").failureRateThreshold(1.5)
                .windowSize(10).build());
        runner.withPropertyValues("breakwater.breakers.orders.failure-rate-threshold=1.5",
                "breakwater.breakers.orders.window-size=10").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessage(expected)
                    .hasMessageContaining("'orders'").hasMessageContaining("failureRateThreshold");
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "breakwater.guard.send-block-threshold=0s | breakwater.guard.send-block-threshold must be > 0, but was PT0S",
        "breakwater.guard.in-flight-threshold=-2s | breakwater.guard.in-flight-threshold must be > 0, but was PT-2S",
        "breakwater.guard.breaker-name=           | breakwater.guard.breaker-name must not be blank, but was ''",
        "breakwater.status.topic=orders status    | breakwater.status.topic must be a Kafka topic name (1 to 249 of "
                + "[a-zA-Z0-9._-], not '.' or '..'), but was 'orders status'",
        "breakwater.status.instance-id=eu/1       | breakwater.status.instance-id must not be blank nor contain '/' (it "
                + "separates the instance from the breaker in the status topic's keys), but was 'eu/1'",
        "breakwater.event-bus.topic-prefix=app:   | breakwater.event-bus.topic-prefix must be empty or at most 248 of "
                + "[a-zA-Z0-9._-], but was 'app:'",
        "breakwater.event-bus.transport-breaker-name= | breakwater.event-bus.transport-breaker-name must not be blank, "
                + "but was ''",
        "breakwater.event-bus.spill-max-events=0  | breakwater.event-bus.spill-max-events must be >= 1, but was 0",
        "breakwater.listeners.orders.pause-on=    | breakwater.listeners.orders.pause-on must not be blank, but was ''",
        "breakwater.metrics.max-breakers=-1       | breakwater.metrics.max-breakers must be >= 0, but was -1",
    })
    void aBadValueStopsTheStartNamingThePropertyAndTheValue(String property, String message) {
        // Checked when bound, whether or not the part it configures is on.
        runner.withConfiguration(AutoConfigurations.of(BreakwaterKafkaAutoConfiguration.class))
                .withPropertyValues(property).run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().isInstanceOf(IllegalArgumentException.class)
                            .hasMessage(message);
                });
    }

    @Test
    void backsOffForTheApplicationsOwnRegistryAndCustomizer() {
        runner.withUserConfiguration(OwnBeans.class).run(context -> {
            assertThat(context.getBean(CircuitBreakerRegistry.class)).isSameAs(OwnBeans.REGISTRY);
            assertThat(context.getBean(BreakwaterAutoConfiguration.GUARD_CUSTOMIZER)).isSameAs(OwnBeans.CUSTOMIZER);
            // Without the guard's customizer, no producer is wrapped: nothing was created in the registry.
            assertThat(OwnBeans.REGISTRY.get("kafka-template")).isEmpty();
        });
    }

    @Test
    void turnsOffWithEnabledFalse() {
        runner.withPropertyValues("breakwater.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(BreakwaterBreakers.class);
            assertThat(context).hasSingleBean(KafkaTemplate.class);
        });
    }

    @Test
    void everyBreakerIsBoundToBootsMeterRegistry() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class)).run(context -> {
            assertThat(context).hasSingleBean(BreakerMetrics.class);
            context.getBean(BreakwaterBreakers.class).breaker("later").forceOpen("test");
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("breaker.state").tag("name", "later").tag("state", "FORCED_OPEN").gauge().value())
                    .isEqualTo(1.0);
            assertThat(meters.get("breaker.state").tag("name", "kafka-template").tag("state", "CLOSED").gauge()
                    .value()).isEqualTo(1.0);
        });
    }

    @Test
    void breakersPastMaxBreakersAreCountedByStateOnly() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                .withPropertyValues("breakwater.metrics.max-breakers=1").run(context -> {
                    assertThat(context.getBean(BreakerMetrics.class).maxBreakers()).isEqualTo(1);
                    context.getBean(BreakwaterBreakers.class).breaker("later").forceOpen("test");
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(meters.find("breaker.state").tag("name", "later").gauges()).isEmpty();
                    assertThat(meters.get("breakwater.breakers").tag("state", "FORCED_OPEN").gauge().value()).isEqualTo(1.0);
                });
    }

    private static KafkaClientSettings settings(org.springframework.context.ApplicationContext context) {
        return KafkaClientSettings.of(context.getBean(KafkaProperties.class),
                context.getBean(KafkaConnectionDetails.class), "orders");
    }

    @Test
    void theTransportTakesSpringKafkasConnectionAndSecurityButNotTheApplicationsOwnSettings() {
        runner.withPropertyValues("spring.kafka.security.protocol=SASL_PLAINTEXT",
                "spring.kafka.properties.sasl.mechanism=PLAIN",
                "spring.kafka.client-id=orders-app",
                "spring.kafka.producer.acks=all",
                "spring.kafka.producer.transaction-id-prefix=tx-",
                "spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.LongSerializer",
                "spring.kafka.producer.properties.interceptor.classes=" + CircuitBreakerProducerInterceptor.class.getName(),
                "spring.kafka.producer.properties.breakwater.breaker.name=orders-out",
                "spring.kafka.producer.properties.partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner")
                .run(context -> {
                    Map<String, Object> transport = settings(context).transport();
                    assertThat(transport).containsEntry("bootstrap.servers", List.of("127.0.0.1:1"))
                            .containsEntry("security.protocol", "SASL_PLAINTEXT")
                            .containsEntry("sasl.mechanism", "PLAIN")
                            .containsEntry("acks", "all")
                            .containsEntry("client.id", "orders-app-breakwater-transport")
                            .containsEntry("value.serializer", ByteArraySerializer.class)
                            .containsEntry("key.serializer", StringSerializer.class)
                            .doesNotContainKeys("transactional.id", "interceptor.classes", "partitioner.class",
                                    "breakwater.breaker.name");
                    assertThat(settings(context).statusClients()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                            .doesNotContainKeys("client.id", "interceptor.classes", "breakwater.breaker.name");
                    // The template's own producers keep their settings.
                    assertThat(settings(context).applicationProducer()).containsEntry("client.id", "orders-app")
                            .containsKey("interceptor.classes");
                });
    }

    @Test
    void withoutAClientIdTheTransportIsNamedAfterTheApplication() {
        runner.run(context -> assertThat(settings(context).transport())
                .containsEntry("client.id", "orders-breakwater-transport"));
    }

    @Test
    void theConnectionDetailsDecideWhereAndHowBreakwatersClientsConnect() {
        SslBundle bundle = SslBundle.of(SslStoreBundle.NONE);
        runner.withBean(KafkaConnectionDetails.class, () -> new KafkaConnectionDetails() {
            @Override
            public List<String> getBootstrapServers() {
                return List.of("127.0.0.2:9093");
            }

            @Override
            public SslBundle getSslBundle() {
                return bundle;
            }

            @Override
            public String getSecurityProtocol() {
                return "SSL";
            }
        }).run(context -> {
            for (Map<String, Object> client : List.of(settings(context).transport(), settings(context).statusClients(),
                    StatusClients.of(settings(context).statusClients(), "test"))) {
                assertThat(client).containsEntry("security.protocol", "SSL")
                        .containsEntry("ssl.engine.factory.class", SslBundleSslEngineFactory.class)
                        .containsEntry(SslBundle.class.getName(), bundle);
                assertThat(client.get("bootstrap.servers").toString()).contains("127.0.0.2:9093")
                        .doesNotContain("127.0.0.1:1");
            }
        });
    }

    @Test
    void theBusAndTheStatusPublisherAreOffUnlessEnabled() {
        runner.withConfiguration(AutoConfigurations.of(BreakwaterKafkaAutoConfiguration.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(EventBus.class).doesNotHaveBean(RedpandaTransport.class)
                    .doesNotHaveBean(StatusPublisher.class);
        });
    }

    @Test
    void theEventBusSpillsToTheConfiguredSqliteFileWhileItsTransportIsOpen(@TempDir Path dir) {
        runner.withConfiguration(AutoConfigurations.of(BreakwaterKafkaAutoConfiguration.class))
                .withPropertyValues("breakwater.event-bus.enabled=true",
                        "breakwater.event-bus.spill-path=" + dir.resolve("spill.db"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    context.getBean(RedpandaTransport.class).breaker().forceOpen("test");
                    PublishResult result = context.getBean(EventBus.class).publishStream("orders", Map.of("id", 1))
                            .get(30, TimeUnit.SECONDS);
                    assertThat(result.spilled()).isTrue();
                    assertThat(context.getBean(SpillStore.class).stats().events()).isEqualTo(1);
                });
    }

    @Test
    void theStreamsBreakersTakeTheApplicationsBreakerSettingsAsEveryOtherBreaker() {
        runner.withConfiguration(AutoConfigurations.of(BreakwaterKafkaAutoConfiguration.class))
                .withPropertyValues("breakwater.event-bus.enabled=true", "breakwater.breaker.reset-timeout=10s",
                        "breakwater.breakers.eventbus-orders.failure-threshold=2")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    EventBus bus = context.getBean(EventBus.class);
                    CircuitBreaker orders = bus.channelBreaker("orders");
                    assertThat(orders.config().failureThreshold()).as("its own setting").isEqualTo(2);
                    assertThat(orders.config().resetTimeout()).as("the default of every breaker").isEqualTo(Duration.ofSeconds(10));
                    CircuitBreaker fills = bus.channelBreaker("fills");
                    assertThat(fills.config().failureThreshold()).isEqualTo(5);
                    assertThat(fills.config().resetTimeout()).isEqualTo(Duration.ofSeconds(10));
                    BreakwaterBreakers breakers = context.getBean(BreakwaterBreakers.class);
                    assertThat(breakers.breaker("eventbus-orders")).as("one breaker, whoever asks first").isSameAs(orders);
                    assertThat(breakers.breaker("eventbus-fills")).as("a listener gate's, say").isSameAs(fills);
                });
    }

    /** A listener to gate, never started. */
    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    static class OrdersListener {
        @org.springframework.kafka.annotation.KafkaListener(id = "orders", topics = "orders", autoStartup = "false")
        void on(String value) {
        }
    }

    @Test
    void aGateOnAStreamsBreakerPausesOnTheBusesOwnThoughStatusIsPublished() {
        // With status published, the bus's stream breakers restore from it (a state store in their config): a breaker
        // made apart for the gate would clash with the bus's, and every publish of the stream would throw.
        runner.withConfiguration(AutoConfigurations.of(BreakwaterKafkaAutoConfiguration.class))
                .withUserConfiguration(OrdersListener.class)
                .withPropertyValues("breakwater.event-bus.enabled=true", "breakwater.status.enabled=true",
                        "breakwater.listeners.orders.pause-on=eventbus-orders")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    EventBus bus = context.getBean(EventBus.class);
                    bus.channelBreaker("orders").forceOpen("test");
                    assertThatThrownBy(() -> bus.publishStream("orders", "o-1").get(30, TimeUnit.SECONDS))
                            .as("refused by the one breaker, not thrown for a clash").cause()
                            .isInstanceOf(io.breakwater.breaker.CircuitBreakerOpenException.class);
                });
    }

    @Test
    void aStreamBreakerSettingForANameNoStreamCanHaveStopsTheStartNamingIt() {
        runner.withConfiguration(AutoConfigurations.of(BreakwaterKafkaAutoConfiguration.class))
                .withPropertyValues("breakwater.event-bus.enabled=true",
                        "breakwater.breakers.eventbus-" + "x".repeat(250) + ".failure-threshold=2")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining("IllegalArgumentException: "
                                    + "breakwater.breakers.eventbus-" + "x".repeat(250) + ": stream '")
                            .rootCause().hasMessageContaining("Kafka allows at most 249");
                });
    }

    @Test
    void aGateOnAnUnknownListenerStopsTheStartNamingIt() {
        runner.withConfiguration(AutoConfigurations.of(BreakwaterKafkaAutoConfiguration.class))
                .withPropertyValues("breakwater.listeners.ordres.pause-on=db").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().isInstanceOf(IllegalStateException.class)
                            .hasMessage("breakwater.listeners.ordres: no @KafkaListener container has the id 'ordres'; "
                                    + "the ids are []");
                });
    }

    @Test
    void theConfigurationProcessorDescribesEveryProperty() throws Exception {
        JsonNode metadata;
        try (var in = getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("metadata generated by spring-boot-configuration-processor").isNotNull();
            metadata = new ObjectMapper().readTree(in);
        }
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        metadata.get("properties").forEach(p -> byName.put(p.get("name").asText(), p));
        assertThat(byName).containsKeys("breakwater.enabled", "breakwater.breaker.failure-threshold",
                "breakwater.breaker.reset-timeout", "breakwater.breakers", "breakwater.guard.mode",
                "breakwater.guard.in-flight-threshold", "breakwater.listeners", "breakwater.status.topic",
                "breakwater.event-bus.enabled", "management.endpoint.breakwater.access");
        assertThat(byName.get("breakwater.guard.mode").get("defaultValue").asText()).isEqualTo("enforce");
        byName.forEach((name, p) -> {
            if (name.startsWith("breakwater.")) {
                assertThat(p.path("description").asText()).as("description of %s", name).isNotBlank();
            }
        });
    }

    private static String messageOf(Runnable build) {
        try {
            build.run();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("the config was accepted");
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {
        static final CircuitBreakerRegistry REGISTRY = new CircuitBreakerRegistry();
        static final org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer CUSTOMIZER =
                factory -> { };

        @Bean
        CircuitBreakerRegistry myRegistry() {
            return REGISTRY;
        }

        @Bean(BreakwaterAutoConfiguration.GUARD_CUSTOMIZER)
        org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer myCustomizer() {
            return CUSTOMIZER;
        }
    }
}
