package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.eventbus.EventBus;
import io.breakwater.metrics.BreakerMetrics;
import io.breakwater.metrics.MetricsServer;
import io.breakwater.metrics.SpillMetrics;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.testkit.RealBroker;
import io.breakwater.transport.redpanda.RedpandaTransport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scrape taken while a breaker is open and events wait in the spill, checked by Prometheus' own promtool. */
@RealBroker(faults = true)
class PrometheusIT {

    @TempDir
    Path dir;

    static Path promtool() {
        java.util.Optional<Path> found = io.breakwater.testkit.Workspace.tool("promtool");
        if (found.isPresent()) {
            return found.get();
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("promtool must be installed in CI (.ci/run installs the Debian package prometheus)");
        }
        Assumptions.abort("promtool is not installed: apt-get install -y prometheus");
        return null;
    }

    static String run(List<String> command, byte[] input) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(input);
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s exit code; output:%n%s", command, output).isZero();
        return output;
    }

    @Test
    void aScrapeWithAnOpenBreakerAndASpillPassesPromtool(EmbeddedKafkaCluster kafka) throws Exception {
        Path promtool = promtool();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RedpandaTransport transport = RedpandaTransport.builder(Map.of("bootstrap.servers", kafka.bootstrapServers())).build();
        SqliteSpillStore spill = SqliteSpillStore.open(dir.resolve("spill.db"));
        try (EventBus bus = EventBus.builder(transport).spill(spill).build();
             MetricsServer server = MetricsServer.start(0, prometheus, () -> bus.health().toJson(), () -> bus.health().healthy())) {
            BreakerMetrics.of(List.of(bus.registry()), List.of(bus.transportBreaker())).bindTo(prometheus);
            SpillMetrics.of(bus).bindTo(prometheus);
            bus.publishStream("quotes", Map.of("bid", 1.0)).get(30, TimeUnit.SECONDS);

            kafka.blackHoleAll();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
                bus.publishStream("quotes", Map.of("bid", 1.0));
                return bus.transportBreaker().state() == CircuitBreakerState.OPEN;
            });
            // Refused now, so spilled.
            assertThat(bus.publishStream("quotes", Map.of("bid", 2.0)).get(30, TimeUnit.SECONDS).spilled()).isTrue();

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.body()).contains("circuit_breaker_state{name=\"redpanda_transport\"} 1")
                    .contains("circuit_breaker_trips_total{name=\"redpanda_transport\"} 1");
            String store = "{store=\"" + spill.describe() + "\"}";
            assertThat(scrape.body()).contains("breakwater_spill_pending" + store, "breakwater_spill_pending_bytes" + store,
                    "breakwater_spill_replay_lag_seconds" + store, "breakwater_spill_appended_total" + store,
                    "breakwater_spill_replayed_total" + store, "breakwater_spill_append_failures_total" + store);
            assertThat(bus.spillStatus().get(0).appended()).isPositive();
            run(List.of(promtool.toString(), "check", "metrics"), scrape.body().getBytes(StandardCharsets.UTF_8));

            HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"healthy\":false").contains("redpanda_transport");
            kafka.passAll();
        }
    }
}
