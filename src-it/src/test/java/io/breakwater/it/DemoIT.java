package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.testkit.BrokerLogging;
import io.breakwater.testkit.JavaProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs {@code breakwater demo} as a user would (the CLI jar, its own JVM, its own broker) and checks its summary. */
@Timed
class DemoIT {

    static Path cliJar() {
        Path jar = io.breakwater.testkit.Workspace.root().resolve("cli/target/breakwater-cli.jar");
        assertThat(jar).as("the CLI jar, built by the cli module's package phase").exists();
        return jar;
    }

    @Test
    void aShortDemoLosesNothingAndOpensWithinFiveSeconds() throws Exception {
        int metricsPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            metricsPort = free.getLocalPort();
        }
        // The demo's output goes to a file under target/ (its broker's, through the log directory, too).
        Path log = Path.of("target", "demo-it.log").toAbsolutePath();
        Process demo = new ProcessBuilder(JavaProcess.javaBinary().toString(), "-Xmx512m",
                "-D" + BrokerLogging.DIRECTORY_PROPERTY + "=" + System.getProperty(BrokerLogging.DIRECTORY_PROPERTY, ""),
                "-jar", cliJar().toString(),
                "demo", "--duration", "20s", "--rate", "40", "--no-color", "--metrics-port", Integer.toString(metricsPort))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // While it runs, the demo serves Prometheus metrics of all its breakers and of the EventBus's spill.
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            java.net.http.HttpResponse<String> scrape = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.body()).contains("circuit_breaker_state{name=\"redpanda_transport\"}")
                    .contains("circuit_breaker_state{name=\"eventbus-orders\"}")
                    .contains("circuit_breaker_state{name=\"fills-producer\"}")
                    .contains("breakwater_spill_pending{store=\"sqlite:").contains("breakwater_spill_replayed_total{store=\"sqlite:");
        });
        assertThat(demo.waitFor(4, TimeUnit.MINUTES)).as("the demo ends; its output so far is in %s", log).isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(demo.exitValue()).as(output).isZero();
        assertThat(output).contains("** broker frozen (SIGSTOP)").contains("** broker killed (SIGKILL)")
                .contains("redpanda_transport CLOSED -> OPEN").contains("Summary:");

        String line = output.lines().filter(l -> l.startsWith("summary-json: ")).findFirst().orElseThrow();
        JsonNode summary = new ObjectMapper().readTree(line.substring("summary-json: ".length()));
        for (String path : List.of("eventBus", "interceptor", "plain")) {
            assertThat(summary.get(path).get("lost").asLong()).as("%s lost", path).isZero();
            assertThat(summary.get(path).get("published").asLong()).as("%s published", path).isPositive();
        }
        for (String fault : List.of("freeze", "kill")) {
            assertThat(summary.get("eventBusTimeToOpenAfter_" + fault).asDouble()).as(fault).isBetween(0.0, 5.0);
            assertThat(summary.get("interceptorTimeToOpenAfter_" + fault).asDouble()).as(fault).isBetween(0.0, 5.0);
        }
        // With its spill, the EventBus hands nothing back for the cluster's sake: what the breakers refused was spilled,
        // and all of it was replayed to the topic before the end.
        JsonNode bus = summary.get("eventBus");
        assertThat(bus.get("spilled").asLong()).as("events spilled while the breakers were open").isPositive();
        assertThat(bus.get("replayed").asLong()).as("replayed, of %s spilled", bus.get("spilled")).isEqualTo(bus.get("spilled").asLong());
        assertThat(bus.get("missingOnTopic").isNumber()).as("the demo read its topic back").isTrue();
        assertThat(bus.get("missingOnTopic").asLong()).as("acked or spilled, not on the topic").isZero();
        assertThat(bus.get("published").asLong()).isEqualTo(bus.get("acked").asLong() + bus.get("spilled").asLong()
                + bus.get("failed").asLong());
        // Its callers never wait for the cluster; the plain producer's do (max.block.ms after the kill).
        assertThat(bus.get("blockedSeconds").asDouble()).as("seconds the EventBus's callers spent blocked")
                .isLessThan(summary.get("plain").get("blockedSeconds").asDouble() / 5);
        assertThat(output).contains("spilled ", "replayed ", "call time p50 / p99 / max", "The floor of this machine");
        // The floor is measured beside the paths: a bare hand-off, so the EventBus's call times can be read against it.
        assertThat(summary.get("floorCallP50Micros").asDouble()).as("hand-off floor p50").isPositive();
        assertThat(summary.get("floorCallP99Micros").asDouble()).as("hand-off floor p99")
                .isGreaterThanOrEqualTo(summary.get("floorCallP50Micros").asDouble());
        assertThat(summary.get("eventBusTimeToCloseAfter_kill").isNull()).as("the breakers closed after the restart").isFalse();

        // The timeline comes in the order things happened, faults and transitions alike.
        List<Double> times = output.lines().filter(l -> l.matches(" *\\d+\\.\\ds  (\\*\\* |\\S+ \\S+ -> ).*"))
                .map(l -> Double.parseDouble(l.trim().substring(0, l.trim().indexOf('s')))).toList();
        assertThat(times).as("the timeline's times, as printed").hasSizeGreaterThan(8).isSorted();
        // The live spill line counts the run's events, as the summary does, not the warm-up's.
        java.util.regex.Pattern spillLine = java.util.regex.Pattern.compile("EventBus spill: \\d+ pending .*, (\\d+) appended, (\\d+) replayed");
        List<java.util.regex.Matcher> spills = output.lines().map(spillLine::matcher).filter(java.util.regex.Matcher::find).toList();
        assertThat(spills).as("the live table's spill lines").isNotEmpty();
        for (java.util.regex.Matcher m : spills) {
            assertThat(Long.parseLong(m.group(1))).as(m.group()).isLessThanOrEqualTo(bus.get("spilled").asLong());
            assertThat(Long.parseLong(m.group(2))).as(m.group()).isLessThanOrEqualTo(bus.get("replayed").asLong());
        }
    }
}
