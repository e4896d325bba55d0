package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.status.InstanceEvent;
import io.breakwater.status.StatusMessage;
import io.breakwater.testkit.JavaProcess;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Ctrl-C in {@code breakwater demo} on a user's cluster: the CLI jar in its own JVM, stopped with SIGINT. */
@RealBroker
class DemoStopIT {

    @Test
    void ctrlCEndsTheDemoWithItsSummaryAndTheInstanceStoppedNotStale(TestBroker broker) throws Exception {
        Path log = Path.of("target", "demo-stop-it.log").toAbsolutePath();
        Process demo = new ProcessBuilder(JavaProcess.javaBinary().toString(), "-Xmx512m", "-jar", DemoIT.cliJar().toString(),
                "demo", "--bootstrap-server", broker.bootstrapServers(), "--duration", "10m", "--rate", "20",
                "--threads", "1", "--no-color")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> Files.readString(log, StandardCharsets.UTF_8)
                    .contains("follows commands on"));
            String instance = "demo-" + demo.pid();

            new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).start().waitFor(10, TimeUnit.SECONDS);

            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo ends; its output is in %s", log).isTrue();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(output).containsPattern("Summary \\(stopped early by Ctrl-C[^)]*\\): \\d+\\.\\ds of 600 s");
            String line = output.lines().filter(l -> l.startsWith("summary-json: ")).findFirst().orElseThrow();
            JsonNode summary = new ObjectMapper().readTree(line.substring("summary-json: ".length()));
            assertThat(summary.get("stoppedEarly").asBoolean()).isTrue();
            assertThat(summary.get("eventBus").get("published").asLong()).isPositive();
            assertThat(summary.get("eventBus").get("lost").asLong()).as(output).isZero();

            List<StatusMessage> status = StatusRecords.all(broker, "breakwater-status");
            assertThat(status).filteredOn(m -> m instanceof InstanceEvent e && e.instance().equals(instance))
                    .as("the instance's last word on the status topic").last()
                    .satisfies(last -> assertThat(((InstanceEvent) last).kind()).isEqualTo(InstanceEvent.Kind.STOPPED));
        } finally {
            demo.destroyForcibly();
        }
    }
}
