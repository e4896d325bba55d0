package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.cli.Main;
import io.breakwater.testkit.JavaProcess;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code breakwater status} reads a topic written by another process; bad input gets a clear answer. */
@RealBroker
class StatusCommandIT {

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    @Test
    void statusShowsTheFleetWrittenByAnotherProcess(TestBroker broker) throws Exception {
        String topic = "fleet-" + java.util.UUID.randomUUID();
        Process writer = JavaProcess.builder(StatusWriterMain.class, List.of("-Xmx256m"),
                List.of(broker.bootstrapServers(), topic)).redirectErrorStream(true).start();
        String writerOutput = new String(writer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(writer.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(writer.exitValue()).as(writerOutput).isZero();

        CliRun running = cli("status", "--bootstrap-server", broker.bootstrapServers(), "--topic", topic, "--json");
        assertThat(running.exitCode()).as(running.err()).isZero();
        assertThat(new ObjectMapper().readTree(running.out())).as("the writer closed its publisher: nothing runs").isEmpty();

        CliRun json = cli("status", "--bootstrap-server", broker.bootstrapServers(), "--topic", topic, "--json", "--all");
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode fleet = new ObjectMapper().readTree(json.out());
        assertThat(fleet).hasSize(2);
        assertThat(fleet.get(0).get("instance").asText()).isEqualTo("writer-1");
        assertThat(fleet.get(0).get("breaker").asText()).isEqualTo("orders");
        assertThat(fleet.get(0).get("to").asText()).as("its last state").isEqualTo("HALF_OPEN");
        assertThat(fleet.get(0).get("kind").asText()).isEqualTo("stopped");
        assertThat(fleet.get(0).get("presence").asText()).isEqualTo("STOPPED");
        assertThat(fleet.get(1).get("breaker").asText()).isEqualTo("payments");
        assertThat(fleet.get(1).get("to").asText()).isEqualTo("FORCED_OPEN");

        CliRun table = cli("status", "--bootstrap-server", broker.bootstrapServers(), "--topic", topic);
        assertThat(table.exitCode()).isZero();
        assertThat(table.out()).contains("INSTANCE").contains("(2 stopped breaker(s) not shown: --all shows them)")
                .doesNotContain("writer-1");
        CliRun all = cli("status", "--bootstrap-server", broker.bootstrapServers(), "--topic", topic, "--all");
        assertThat(all.out()).containsPattern("writer-1 +orders +STOPPED .* last state HALF_OPEN")
                .containsPattern("writer-1 +payments +STOPPED .* last state FORCED_OPEN");
    }

    @Test
    void followPrintsEventsAsTheyArrive(TestBroker broker) throws Exception {
        String topic = "follow-" + java.util.UUID.randomUUID();
        io.breakwater.breaker.CircuitBreaker breaker = io.breakwater.breaker.CircuitBreaker.ofDefaults("inventory");
        try (io.breakwater.status.StatusPublisher publisher = io.breakwater.status.StatusPublisher.create(
                java.util.Map.of("bootstrap.servers", broker.bootstrapServers()), topic, "follower-test")) {
            publisher.attach(breaker);
            breaker.forceOpen();
            assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
            Process follow = JavaProcess.builder(Main.class, List.of("-Xmx256m"),
                    List.of("status", "--bootstrap-server", broker.bootstrapServers(), "--topic", topic, "--follow", "--json"))
                    .redirectErrorStream(true).start();
            try (java.io.BufferedReader lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))) {
                String first = lines.readLine();
                assertThat(first).startsWith("[").contains("\"to\":\"FORCED_OPEN\"");
                breaker.reset();
                assertThat(publisher.flush(Duration.ofSeconds(30))).isTrue();
                String next = lines.readLine();
                assertThat(next).startsWith("{").contains("\"breaker\":\"inventory\"").contains("\"to\":\"CLOSED\"");
            } finally {
                follow.destroy();
                assertThat(follow.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    /**
     * How long a command may take to give up on an unreachable cluster: its first check waits 8 s for a broker to answer
     * (a refused port included: Kafka's admin client retries until then), and 5 s more for the rest of the run on a busy
     * machine. Without that check a command would wait out Kafka's own 60 s.
     */
    private static final Duration GIVES_UP_WITHIN = Duration.ofSeconds(8 + 5);

    @Test
    void anUnreachableBootstrapFailsClearlyAfterItsFirstCheck() {
        long start = System.nanoTime();
        CliRun run = cli("status", "--bootstrap-server", "127.0.0.1:1");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(GIVES_UP_WITHIN);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Cannot reach Kafka at '127.0.0.1:1' within 8s");
    }

    @Test
    void aMissingTopicIsNamed(TestBroker broker) {
        CliRun run = cli("status", "--bootstrap-server", broker.bootstrapServers(), "--topic", "no-such-status-topic");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Topic 'no-such-status-topic' does not exist");
    }

    @Test
    void badOptionsPrintTheUsage() {
        CliRun missing = cli("status");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option: '--bootstrap-server=HOST:PORT'").contains("Usage: breakwater status");
        CliRun rate = cli("demo", "--rate", "0");
        assertThat(rate.exitCode()).isEqualTo(2);
        assertThat(rate.err()).contains("--rate must be in [1, 5000], but was 0").contains("Usage: breakwater demo");
        CliRun duration = cli("demo", "--duration", "soon");
        assertThat(duration.exitCode()).isEqualTo(2);
        assertThat(duration.err()).contains("'soon' is not a duration");
        CliRun unknown = cli("fly");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unmatched argument").contains("Usage: breakwater");
        CliRun timeout = cli("status", "--bootstrap-server", "localhost:9092", "--timeout", "0s");
        assertThat(timeout.exitCode()).isEqualTo(2);
        assertThat(timeout.err()).contains("--timeout must be at least 1s, but was 0s");
        CliRun bogus = cli("status", "--bootstrap-server", "localhost:9092", "--bogus");
        assertThat(bogus.exitCode()).isEqualTo(2);
        assertThat(bogus.err()).contains("Unknown option: '--bogus'").contains("Usage: breakwater status");
        CliRun topic = cli("status", "--bootstrap-server", "localhost:9092", "--topic", "bad topic");
        assertThat(topic.exitCode()).isEqualTo(2);
        assertThat(topic.err()).contains("--topic must be a Kafka topic name").contains("Usage: breakwater status");
        CliRun empty = cli("status", "--bootstrap-server", "");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).contains("--bootstrap-server must not be empty");
    }

    @Test
    void aMalformedBootstrapSaysWhatIsWrongWithIt() {
        CliRun run = cli("status", "--bootstrap-server", "no-port-here");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--bootstrap-server: 'no-port-here' is not HOST:PORT (as in localhost:9092")
                .contains("Usage: breakwater status");
    }

    @Test
    void theDemoAgainstAnUnreachableClusterFailsClearly() {
        long start = System.nanoTime();
        CliRun run = cli("demo", "--bootstrap-server", "127.0.0.1:1", "--duration", "5s", "--no-color");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(GIVES_UP_WITHIN);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Cannot reach Kafka at '127.0.0.1:1' within 8s");
    }
}
