package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.cli.Main;
import io.breakwater.status.FleetEntry;
import io.breakwater.status.StatusReader;
import io.breakwater.testkit.JavaProcess;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The fleet view on a real broker, with instances in JVMs of their own: every breaker is visible from its start,
 * a killed instance turns STALE, a stopped one is hidden unless asked for, and {@code status --watch} follows it all.
 */
@RealBroker
class FleetStatusIT {

    private static final Duration HEARTBEAT = Duration.ofSeconds(1);

    private static JsonNode statusJson(TestBroker broker, FleetInstance.Topics topics, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("status", "--bootstrap-server", broker.bootstrapServers(),
                "--topic", topics.status(), "--json"));
        args.addAll(List.of(more));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        return new ObjectMapper().readTree(run.out());
    }

    @Test
    void everyBreakerIsVisibleFromItsStartWithItsStateAndLastSeen(TestBroker broker) throws Exception {
        FleetInstance.Topics topics = FleetInstance.Topics.fresh(broker, "visible");
        try (FleetInstance a = FleetInstance.start(broker, topics, "trader-1", HEARTBEAT);
             FleetInstance b = FleetInstance.start(broker, topics, "trader-2", HEARTBEAT)) {
            a.readyState();
            b.readyState();
            await().atMost(Duration.ofSeconds(30)).until(() -> statusJson(broker, topics).size() == 2);
            // Asked again until it holds: a heartbeat of an instance's JVM that lost its core for a moment is late,
            // which the next one mends.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Instant asked = Instant.now();
                JsonNode fleet = statusJson(broker, topics);
                for (int i = 0; i < 2; i++) {
                    JsonNode e = fleet.get(i);
                    assertThat(e.get("instance").asText()).isEqualTo("trader-" + (i + 1));
                    assertThat(e.get("breaker").asText()).isEqualTo("orders");
                    assertThat(e.get("to").asText()).as("no transition at all, yet visible").isEqualTo("CLOSED");
                    assertThat(e.get("kind").asText()).isEqualTo("started");
                    assertThat(e.get("reason").asText()).isEqualTo("started");
                    assertThat(e.get("presence").asText()).isEqualTo("LIVE");
                    assertThat(Duration.between(Instant.parse(e.get("lastSeen").asText()), asked))
                            .as("heartbeats keep it fresh").isLessThan(Duration.ofSeconds(5));
                }
            });
            CliRun table = CliRun.of("status", "--bootstrap-server", broker.bootstrapServers(), "--topic", topics.status());
            assertThat(table.out()).containsPattern("trader-1 +orders +CLOSED +\\d+ s +\\d+ s +0/0 +started")
                    .containsPattern("trader-2 +orders +CLOSED");
        }
    }

    @Test
    void aKilledInstanceTurnsStaleAndAStoppedOneIsHiddenUnlessAll(TestBroker broker) throws Exception {
        FleetInstance.Topics topics = FleetInstance.Topics.fresh(broker, "stale");
        try (FleetInstance live = FleetInstance.start(broker, topics, "trader-1", HEARTBEAT);
             FleetInstance killed = FleetInstance.start(broker, topics, "trader-2", HEARTBEAT);
             FleetInstance stopped = FleetInstance.start(broker, topics, "trader-3", HEARTBEAT);
             StatusReader reader = StatusReader.start(broker.clientConfig(), topics.status())) {
            List.of(live, killed, stopped).forEach(FleetInstance::readyState);
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.fleetEntries(false).size() == 3);

            await("alive, none is stale").atMost(Duration.ofSeconds(30)).until(() -> reader.fleetEntries(false).stream()
                    .allMatch(e -> e.presence() == FleetEntry.Presence.LIVE));

            killed.kill();
            Instant killedAt = Instant.now();
            stopped.stop();
            assertThat(stopped.lines()).contains("stopped");

            FleetEntry stale = await().atMost(Duration.ofSeconds(15)).until(() -> reader.fleetEntries(false).stream()
                    .filter(e -> e.instance().equals("trader-2") && e.presence() == FleetEntry.Presence.STALE)
                    .findFirst().orElse(null), java.util.Objects::nonNull);
            Instant seenStale = Instant.now();
            // Judged from its last heartbeat, which came up to one interval (plus the dying JVM's delay) before the kill.
            Instant lastHeartbeat = stale.heartbeat().at();
            assertThat(lastHeartbeat).as("its last heartbeat came before it was killed").isBefore(killedAt);
            assertThat(Duration.between(lastHeartbeat, seenStale)).as("3 missed heartbeats of 1 s")
                    .isGreaterThan(Duration.ofSeconds(3));
            // The live instance is LIVE as long as its heartbeats come each second: asked again until they do.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode running = statusJson(broker, topics);
                assertThat(running).extracting(e -> e.get("instance").asText() + " " + e.get("presence").asText())
                        .containsExactly("trader-1 LIVE", "trader-2 STALE");
                JsonNode all = statusJson(broker, topics, "--all");
                assertThat(all).extracting(e -> e.get("instance").asText() + " " + e.get("presence").asText())
                        .containsExactly("trader-1 LIVE", "trader-2 STALE", "trader-3 STOPPED");
            });
            CliRun table = CliRun.of("status", "--bootstrap-server", broker.bootstrapServers(), "--topic", topics.status());
            assertThat(table.out()).containsPattern("trader-2 +orders +STALE .*no heartbeat for \\d+ s \\(every 1 s\\); "
                    + "last known CLOSED").contains("(1 stopped breaker(s) not shown: --all shows them)");
        }
    }

    @Test
    void watchRedrawsTheTableAsTheFleetChanges(TestBroker broker) throws Exception {
        FleetInstance.Topics topics = FleetInstance.Topics.fresh(broker, "watch");
        try (FleetInstance a = FleetInstance.start(broker, topics, "trader-1", HEARTBEAT)) {
            a.readyState();
            Process watch = JavaProcess.builder(Main.class, List.of("-Xmx160m"), List.of("status", "--bootstrap-server",
                    broker.bootstrapServers(), "--topic", topics.status(), "--watch", "--interval", "500ms")).start();
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread reading = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (java.io.IOException e) {
                    lines.add("(lost: " + e + ")");
                }
            });
            reading.setDaemon(true);
            reading.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> lines.stream().anyMatch(l -> l.matches("trader-1 +orders +CLOSED .*")));
                int before = lines.size();
                CliRun sent = CliRun.of("force-open", "orders", "--bootstrap-server", broker.bootstrapServers(),
                        "--topic", topics.control(), "--by", "watcher");
                assertThat(sent.exitCode()).as(sent.err()).isZero();
                await().atMost(Duration.ofSeconds(15)).until(() -> lines.subList(before, lines.size()).stream()
                        .anyMatch(l -> l.matches("trader-1 +orders +FORCED_OPEN .*cmd-[0-9a-f]{12}: force-open by watcher")));
                assertThat(lines).anyMatch(l -> l.startsWith("Breakwater fleet   " + topics.status() + " on "))
                        .anyMatch(l -> l.startsWith("INSTANCE ") && l.contains("LAST SEEN"));
                assertThat(lines).as("not a terminal: plain, one table after the other").noneMatch(l -> l.contains("\u001b["));
            } finally {
                watch.destroy();
                assertThat(watch.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }
    }
}
