package io.breakwater.example.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.testkit.ForkedKafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/** The example application, run as it ships, against a broker in its own JVM, over HTTP. */
class OrdersApplicationIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String base;

    @Test
    void failsFastWhenTheBrokerFreezesShowsItInReadinessAndPausesTheListenerWhileItsDatabaseBreakerIsOpen()
            throws Exception {
        try (ForkedKafkaBroker broker = ForkedKafkaBroker.start()) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(OrdersController.TOPIC, 1, (short) 1))).all()
                        .get(30, TimeUnit.SECONDS);
            }
            try (ConfigurableApplicationContext app = new SpringApplicationBuilder(OrdersApplication.class)
                    .run("--server.port=0", "--spring.kafka.bootstrap-servers=" + broker.bootstrapServers())) {
                base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
                OrderStore store = app.getBean(OrderStore.class);
                MessageListenerContainer listener = app.getBean(KafkaListenerEndpointRegistry.class)
                        .getListenerContainer("orders");

                assertThat(post("/orders", "o1").statusCode()).isEqualTo(202);
                await().atMost(Duration.ofSeconds(30)).until(() -> store.stored().contains("o1"));
                assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);

                // The database's breaker, forced open through the endpoint: the listener pauses, readiness says so.
                assertThat(post("/actuator/breakwater/db", "{\"action\":\"force-open\"}").body())
                        .contains("FORCED_OPEN");
                await().atMost(Duration.ofSeconds(10)).until(listener::isContainerPaused);
                assertThat(post("/orders", "o2").statusCode()).isEqualTo(202);
                HttpResponse<String> readiness = get("/actuator/health/readiness");
                assertThat(readiness.statusCode()).isEqualTo(503);
                assertThat(readiness.body()).contains("OUT_OF_SERVICE").contains("\"db\":\"FORCED_OPEN\"");
                assertThat(store.stored()).containsExactly("o1");
                assertThat(post("/actuator/breakwater/db", "{\"action\":\"reset\"}").statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(30)).until(() -> store.stored().contains("o2"));

                // The broker freezes: orders are refused at once instead of waiting max.block.ms (60 s).
                broker.freeze();
                try {
                    await().atMost(Duration.ofSeconds(20)).until(() -> post("/orders", "frozen").statusCode() == 503);
                    long start = System.nanoTime();
                    HttpResponse<String> refused = post("/orders", "refused");
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
                    assertThat(refused.statusCode()).isEqualTo(503);
                    assertThat(refused.body()).contains("kafka-template");
                    HttpResponse<String> health = get("/actuator/health/readiness");
                    assertThat(health.statusCode()).isEqualTo(503);
                    assertThat(health.body()).contains("kafka-template");
                } finally {
                    broker.resume();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> post("/orders", "after").statusCode() == 202);
            }
        }
    }

    @Test
    void theEndpointRefusesWritesWhileItsAccessIsReadOnly() throws Exception {
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(OrdersApplication.class)
                .run("--server.port=0", "--spring.kafka.bootstrap-servers=127.0.0.1:1",
                        "--spring.kafka.listener.auto-startup=false",
                        "--management.endpoint.breakwater.access=read-only")) {
            base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
            assertThat(get("/actuator/breakwater/db").body()).contains("CLOSED");
            HttpResponse<String> write = post("/actuator/breakwater/db", "{\"action\":\"force-open\"}");
            assertThat(write.statusCode()).isBetween(400, 499);
            assertThat(get("/actuator/breakwater/db").body()).contains("CLOSED");
        }
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (body.startsWith("{")) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
