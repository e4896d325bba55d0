package io.breakwater.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The compose stack cannot run here (no Docker engine), so its files are checked as far as they can be:
 * the YAML parses, Prometheus accepts its config, the dashboard parses, and every metric its queries use
 * is one the binder exports.
 */
class DockerStackTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "offset", "and", "or", "unless");

    static Path docker() {
        return io.breakwater.testkit.Workspace.root().resolve("docker");
    }

    @Test
    void everyYamlFileParses() throws IOException {
        List<Path> yamls;
        try (Stream<Path> files = Files.walk(docker())) {
            yamls = files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).toList();
        }
        assertThat(yamls).hasSizeGreaterThanOrEqualTo(4);
        for (Path yaml : yamls) {
            assertThat(YAML.readTree(yaml.toFile())).as(yaml.toString()).isNotNull();
        }
    }

    @Test
    void theComposeFileHasTheWholeStackWithPinnedImages() throws IOException {
        JsonNode services = YAML.readTree(docker().resolve("compose.yaml").toFile()).get("services");
        List<String> names = new ArrayList<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("redpanda", "console", "demo", "prometheus", "grafana");
        services.forEach(service -> {
            if (service.has("image")) {
                String image = service.get("image").asText();
                assertThat(image).as("pinned").matches(".+:v?\\d+\\.\\d+\\.\\d+");
            }
        });
        assertThat(services.get("redpanda").get("image").asText()).isEqualTo(io.breakwater.testkit.BrokerExtension.REDPANDA_IMAGE);
        assertThat(services.get("demo").get("command").toString()).contains("--metrics-port").contains("9404");
    }

    @Test
    void prometheusAcceptsItsConfig() throws Exception {
        Path promtool = io.breakwater.testkit.Workspace.tool("promtool").orElse(null);
        if (promtool == null && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("promtool must be installed in CI (.ci/run installs the Debian package prometheus)");
        }
        Assumptions.assumeTrue(promtool != null, "promtool is not installed: apt-get install -y prometheus");
        Process p = new ProcessBuilder(promtool.toString(), "check", "config",
                docker().resolve("prometheus/prometheus.yml").toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(YAML.readTree(docker().resolve("prometheus/prometheus.yml").toFile()).toString()).contains("demo:9404");
    }

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws IOException {
        JsonNode dashboard = JSON.readTree(docker().resolve("grafana/dashboards/breakwater.json").toFile());
        Set<String> used = new TreeSet<>();
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            titles.add(panel.get("title").asText());
            for (JsonNode target : panel.get("targets")) {
                used.addAll(metricNames(target.get("expr").asText()));
            }
        }
        assertThat(titles).anyMatch(t -> t.contains("states over time")).anyMatch(t -> t.contains("Transitions"))
                .anyMatch(t -> t.contains("Rejected")).anyMatch(t -> t.contains("Failure rate"));
        assertThat(used).isNotEmpty();
        assertThat(exported()).containsAll(used);
    }

    @Test
    void theMetricNameExtractorFindsNamesNotFunctionsOrLabels() {
        assertThat(metricNames("sum by (name, kind) (rate(breaker_calls_seconds_count{kind=\"rejected\"}[1m]))"))
                .containsExactly("breaker_calls_seconds_count");
        assertThat(metricNames("increase(circuit_breaker_trips_total[5m]) / on(name) circuit_breaker_state"))
                .containsExactlyInAnyOrder("circuit_breaker_trips_total", "circuit_breaker_state");
    }

    /** The metric names in a PromQL expression: not functions, keywords, label names, strings or durations. */
    static Set<String> metricNames(String expr) {
        String e = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(e);
        while (m.find()) {
            String word = m.group();
            String rest = e.substring(m.end()).stripLeading();
            if (!rest.startsWith("(") && !PROMQL_WORDS.contains(word)) {
                names.add(word);
            }
        }
        return names;
    }

    /** Every sample name the binder exports, from a scrape of a breaker that has been through everything. */
    static Set<String> exported() {
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BreakerMetrics.of(registry).bindTo(prometheus);
        CircuitBreaker breaker = registry.getOrCreate("everything");
        breaker.recordSuccess();
        breaker.forceOpen();
        Set<String> names = new TreeSet<>();
        for (String line : prometheus.scrape().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }
}
