package io.breakwater.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.testkit.ForkedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The starter against a broker whose client listener speaks only TLS, with the trust in a Spring Boot SSL bundle
 * ({@code spring.kafka.ssl.bundle}): the template, the EventBus, the status publisher and the fleet view all reach it.
 */
class StarterSslIT {

    private static final String PASSWORD = "it-" + UUID.randomUUID();
    private static Path dir;
    private static Path certificate;
    private static ForkedKafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("starter-ssl-");
        Path keystore = dir.resolve("broker.p12");
        certificate = dir.resolve("broker.pem");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", PASSWORD,
                "-file", certificate.toString());
        broker = ForkedKafkaBroker.builder()
                .brokerProperty("listener.security.protocol.map", "EXTERNAL:SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT")
                .brokerProperty("listener.name.external.ssl.keystore.type", "PKCS12")
                .brokerProperty("listener.name.external.ssl.keystore.location", keystore.toString())
                .brokerProperty("listener.name.external.ssl.keystore.password", PASSWORD)
                .brokerProperty("listener.name.external.ssl.key.password", PASSWORD)
                .start();
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool ended").isTrue();
        assertThat(p.exitValue()).as("keytool: %s", output).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theTemplateTheEventBusTheStatusPublisherAndTheFleetViewConnectWithTheSslBundle() throws Exception {
        String status = "status-ssl-" + UUID.randomUUID();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, BreakwaterAutoConfiguration.class,
                        KafkaAutoConfiguration.class, BreakwaterKafkaAutoConfiguration.class,
                        BreakwaterActuatorAutoConfiguration.class, EndpointAutoConfiguration.class))
                .withPropertyValues("spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                        "spring.ssl.bundle.pem.broker.truststore.certificate=file:" + certificate,
                        "spring.kafka.ssl.bundle=broker", "spring.kafka.security.protocol=SSL",
                        "breakwater.event-bus.enabled=true", "breakwater.status.enabled=true",
                        "breakwater.status.topic=" + status, "breakwater.status.instance-id=starter-ssl-it",
                        "breakwater.status.fleet-view=true", "management.endpoints.web.exposure.include=breakwater")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
                    template.send("orders-ssl", "k", "v").get(30, TimeUnit.SECONDS);
                    PublishResult published = context.getBean(EventBus.class).publishStream("orders", Map.of("id", 1))
                            .get(30, TimeUnit.SECONDS);
                    assertThat(published.acknowledged()).isTrue();

                    context.getBean(BreakwaterBreakers.class).breaker("payments").forceOpen("it");
                    assertThat(readStatus(status)).anyMatch(v -> v.contains("payments") && v.contains("FORCED_OPEN")
                            && v.contains("starter-ssl-it"));
                    BreakwaterEndpoint endpoint = context.getBean(BreakwaterEndpoint.class);
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                            assertThat((List<Map<String, Object>>) endpoint.breakers().get("fleet")).anySatisfy(e ->
                                    assertThat(e).containsEntry("instance", "starter-ssl-it")
                                            .containsEntry("breaker", "payments").containsEntry("state", "FORCED_OPEN")));
                });
    }

    /** The status topic as a client outside Spring reads it, over TLS. */
    private static List<String> readStatus(String topic) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "read-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                "security.protocol", "SSL", "ssl.truststore.type", "PEM",
                "ssl.truststore.location", certificate.toString());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.stream().anyMatch(v -> v.contains("FORCED_OPEN"));
            });
        }
        return values;
    }
}
