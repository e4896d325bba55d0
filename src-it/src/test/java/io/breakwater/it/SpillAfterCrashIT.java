package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.eventbus.EventBus;
import io.breakwater.spill.SpilledEvent;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.testkit.ForkedKafkaBroker;
import io.breakwater.testkit.JavaProcess;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publishing application itself dies (SIGKILL) in the middle of an outage, with events in its spill. Another
 * process ({@link SpillCrashMain}) publishes a steady load through an EventBus with a SQLite spill; once it has
 * had acknowledgements, the broker is killed, and once the application has reported {@value #SPILLED} events as
 * spilled, it is killed too. The broker comes back, and a new EventBus opens the same spill file: every event the
 * dead process reported as spilled (each was durable before its line was printed) reaches the topic, with the id
 * its publish returned, in per-key order, and the spill ends empty.
 */
class SpillAfterCrashIT {

    private static final int SPILLED = 600;

    @TempDir
    Path dir;

    private ForkedKafkaBroker broker;
    private Process app;

    /** What the application printed: its answered publishes by event id, as "key seq". */
    private final Map<String, String> acked = new ConcurrentHashMap<>();
    private final Map<String, String> spilled = new ConcurrentHashMap<>();
    private final List<String> failed = new CopyOnWriteArrayList<>();
    private volatile boolean started;

    @AfterEach
    void cleanUp() {
        if (app != null && app.isAlive()) {
            app.destroyForcibly();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Timeout(180)
    void everyEventADeadApplicationSpilledReachesTheTopicFromANewBusOnItsSpillFile() throws Exception {
        long begin = System.nanoTime();
        broker = ForkedKafkaBroker.start();
        String stream = "crash-" + UUID.randomUUID().toString().substring(0, 8);
        Records.createTopics(broker.bootstrapServers(), List.of(stream));
        Path spillFile = dir.resolve("app/spill.db");
        Path appLog = Path.of(System.getProperty("basedir", "."), "target", "spill-crash-app.log");
        Files.createDirectories(appLog.getParent());

        app = JavaProcess.builder(SpillCrashMain.class, List.of("-Xmx256m"),
                        List.of(broker.bootstrapServers(), stream, spillFile.toString()))
                .redirectError(appLog.toFile()).start();
        Thread reader = new Thread(this::readApp, "spill-crash-app-reader");
        reader.setDaemon(true);
        reader.start();

        await("the application to publish and be acknowledged").atMost(Duration.ofSeconds(60))
                .failFast("the application ended; see " + appLog, () -> !app.isAlive())
                .until(() -> started && acked.size() >= 200);
        broker.kill();
        await("the application to report " + SPILLED + " events spilled").atMost(Duration.ofSeconds(60))
                .failFast("the application ended; see " + appLog, () -> !app.isAlive())
                .until(() -> spilled.size() >= SPILLED);

        JavaProcess.signal(app.pid(), "KILL");
        assertThat(app.waitFor(30, TimeUnit.SECONDS)).as("the application died").isTrue();
        assertThat(app.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        reader.join(TimeUnit.SECONDS.toMillis(30)); // its stdout ends with the process: every line it printed is read
        assertThat(reader.isAlive()).isFalse();
        assertThat(failed).as("publishes the application saw fail").isEmpty();
        Set<String> reportedSpilled = Set.copyOf(spilled.keySet());
        Set<String> reportedAcked = Set.copyOf(acked.keySet());

        // The file the dead process left holds every event it reported as spilled (and maybe a few it had no time to report).
        SqliteSpillStore store = SqliteSpillStore.open(spillFile);
        Set<String> held = store.oldest(stream, Integer.MAX_VALUE).stream().map(SpilledEvent::eventId)
                .collect(Collectors.toSet());
        assertThat(held).as("events held in the spill file").containsAll(reportedSpilled);

        broker.restart();
        RedpandaTransport transport = RedpandaTransport.builder(Map.of("bootstrap.servers", broker.bootstrapServers())).build();
        long replayedAfter;
        long restartedAt = System.nanoTime();
        try (EventBus bus = EventBus.builder(transport).spill(store).build()) {
            // No publish: the new bus replays what it finds at start.
            await("the spill to empty").atMost(Duration.ofSeconds(60)).until(() -> bus.spillStatus().get(0).pending() == 0);
            replayedAfter = bus.spillStatus().get(0).replayed();
        }
        long emptyAfter = System.nanoTime() - restartedAt;
        try (SqliteSpillStore reopened = SqliteSpillStore.open(spillFile)) {
            assertThat(reopened.stats().events()).as("events left in the spill file").isZero();
        }

        Set<String> expected = new HashSet<>(reportedSpilled);
        expected.addAll(reportedAcked);
        SpilledTopic topic = SpilledTopic.read(broker.bootstrapServers(), stream, expected, Duration.ofSeconds(60));
        Set<String> onTopic = topic.records.stream().map(SpilledTopic.Event::id).collect(Collectors.toSet());
        long spilledOnTopic = reportedSpilled.stream().filter(onTopic::contains).count();
        System.out.printf("SpillAfterCrashIT: the application reported %d acked and %d spilled before SIGKILL; its spill file "
                        + "held %d; the new bus replayed %d, spill empty %.1f s after the broker restarted; on the topic: "
                        + "%d records (%d duplicates), %d of the %d reported spilled; run %.1f s%n", reportedAcked.size(),
                reportedSpilled.size(), held.size(), replayedAfter, emptyAfter / 1e9, topic.records.size(), topic.duplicates,
                spilledOnTopic, reportedSpilled.size(), (System.nanoTime() - begin) / 1e9);
        assertThat(reportedSpilled).hasSizeGreaterThanOrEqualTo(SPILLED);
        assertThat(replayedAfter).as("events the new bus replayed").isEqualTo(held.size());
        assertThat(topic.missing(reportedSpilled)).as("reported spilled, not on the topic").isEmpty();
        assertThat(topic.missing(reportedAcked)).as("reported acknowledged, not on the topic").isEmpty();
        assertThat(topic.orderViolations()).as("per key, sequence numbers in order once duplicates are dropped").isEmpty();
        // Each replayed event kept its key and sequence with its id.
        Map<String, String> asRead = topic.firsts.stream().collect(Collectors.toMap(SpilledTopic.Event::id,
                e -> e.key() + " " + e.seq()));
        spilled.forEach((id, keySeq) -> assertThat(asRead.get(id)).as("event %s", id).isEqualTo(keySeq));
    }

    private void readApp() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                String[] part = line.split(" ", 4);
                switch (part[0]) {
                    case "started" -> started = true;
                    case "acked" -> acked.put(part[1], part[2] + " " + part[3]);
                    case "spilled" -> spilled.put(part[1], part[2] + " " + part[3]);
                    default -> failed.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
