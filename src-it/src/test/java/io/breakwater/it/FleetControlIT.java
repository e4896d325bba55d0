package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.status.StatusEvent;
import io.breakwater.status.StatusReader;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The fleet-wide switch on a real broker, timed: {@code breakwater force-open} reaches three instances that run in JVMs
 * of their own and follow the control topic within 2 s, and one with an expiry ends on time; they report the applied
 * state on the status topic with the command's id as the reason. What is not timed is in {@link FleetCommandsIT}.
 */
@RealBroker
@Timed
class FleetControlIT {

    static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final Pattern SENT = Pattern.compile("Sent (cmd-[0-9a-f]{12}) to ");
    // What the last command line run printed on stderr.
    static final ThreadLocal<String> LAST_ERR = new ThreadLocal<>();

    static String send(TestBroker broker, FleetInstance.Topics topics, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-server", broker.bootstrapServers(), "--topic", topics.control(), "--by", "it",
                "--status-topic", topics.status()));
        CliRun run = CliRun.of(all.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        LAST_ERR.set(run.err());
        Matcher m = SENT.matcher(run.out());
        assertThat(m.find()).as(run.out()).isTrue();
        return m.group(1);
    }

    /** The newest event of {@code orders} of {@code instance}, as the status topic has it. */
    static StatusEvent orders(StatusReader reader, FleetInstance instance) {
        return reader.fleet().get(instance.id + "/orders");
    }

    static void awaitStarted(StatusReader reader, List<FleetInstance> instances) {
        for (FleetInstance i : instances) {
            assertThat(i.readyState()).isEqualTo("CLOSED");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> instances.stream().allMatch(i -> orders(reader, i) != null));
    }

    @Test
    void forceOpenReachesEveryInstanceWithinTwoSeconds(TestBroker broker) throws Exception {
        FleetInstance.Topics topics = FleetInstance.Topics.fresh(broker, "fleet");
        try (FleetInstance a = FleetInstance.start(broker, topics, "trader-1", HEARTBEAT);
             FleetInstance b = FleetInstance.start(broker, topics, "trader-2", HEARTBEAT);
             FleetInstance c = FleetInstance.start(broker, topics, "trader-3", HEARTBEAT);
             StatusReader reader = StatusReader.start(broker.clientConfig(), topics.status())) {
            List<FleetInstance> fleet = List.of(a, b, c);
            awaitStarted(reader, fleet);

            Instant typed = Instant.now();
            String id = send(broker, topics, "force-open", "orders");
            Instant sent = Instant.now();

            await().atMost(Duration.ofSeconds(10)).until(() -> fleet.stream().allMatch(i ->
                    orders(reader, i).to() == CircuitBreakerState.FORCED_OPEN && orders(reader, i).reason().startsWith(id)));
            // "Reaches" is timed from the command's record (its Kafka timestamp, set by the CLI's producer as it sends):
            // the CLI's own start (its producer and metadata) is reported, not bounded.
            List<ConsumerRecord<String, String>> commands = Records.consume(broker.bootstrapServers(), topics.control(), 1);
            assertThat(commands).singleElement().extracting(ConsumerRecord::value).asString().contains(id);
            Instant written = Instant.ofEpochMilli(commands.get(0).timestamp());
            List<String> report = new ArrayList<>();
            Duration slowest = Duration.ZERO;
            for (FleetInstance i : fleet) {
                Instant applied = orders(reader, i).at(); // the instance's own clock: the same machine's
                Duration sinceWritten = Duration.between(written, applied);
                slowest = sinceWritten.compareTo(slowest) > 0 ? sinceWritten : slowest;
                report.add(i.id + ": applied " + sinceWritten.toMillis() + " ms after the command was written, "
                        + Duration.between(typed, applied).toMillis() + " ms after it was typed, "
                        + Duration.between(sent, applied).toMillis() + " ms after the CLI returned");
                assertThat(orders(reader, i).reason()).isEqualTo(id + ": force-open by it");
            }
            report.add("the CLI took " + Duration.between(typed, sent).toMillis() + " ms, of it "
                    + Duration.between(typed, written).toMillis() + " ms before the command was written");
            System.out.println("force-open " + id + ":\n  " + String.join("\n  ", report));
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target/fleet-control.txt"), report);
            assertThat(slowest).as(String.join("; ", report)).isLessThan(Duration.ofSeconds(2));
            for (FleetInstance i : fleet) {
                assertThat(i.lines()).contains("transition FORCED_OPEN " + id + ": force-open by it");
            }

            CliRun status = CliRun.of("status", "--bootstrap-server", broker.bootstrapServers(), "--topic", topics.status());
            assertThat(status.out()).containsPattern("trader-1 +orders +FORCED_OPEN .*" + id)
                    .containsPattern("trader-2 +orders +FORCED_OPEN .*" + id)
                    .containsPattern("trader-3 +orders +FORCED_OPEN .*" + id);
        }
    }

    @Test
    void afterTheExpiryEveryInstanceRunsOnItsOwnAgain(TestBroker broker) throws Exception {
        FleetInstance.Topics topics = FleetInstance.Topics.fresh(broker, "expiry");
        try (FleetInstance a = FleetInstance.start(broker, topics, "trader-1", HEARTBEAT);
             FleetInstance b = FleetInstance.start(broker, topics, "trader-2", HEARTBEAT);
             StatusReader reader = StatusReader.start(broker.clientConfig(), topics.status())) {
            List<FleetInstance> fleet = List.of(a, b);
            awaitStarted(reader, fleet);

            String id = send(broker, topics, "force-open", "orders", "--for", "4s");
            Instant expiresAt = Instant.parse(reasonUntil(reader, a, id));

            await().atMost(Duration.ofSeconds(15)).until(() -> fleet.stream().allMatch(i ->
                    orders(reader, i).to() == CircuitBreakerState.CLOSED && orders(reader, i).reason().equals(id + " expired")));
            for (FleetInstance i : fleet) {
                Instant closed = orders(reader, i).at();
                assertThat(closed).as(i.id + " closed at the expiry, not before").isAfterOrEqualTo(expiresAt);
                assertThat(Duration.between(expiresAt, closed)).as(i.id + " closed within a second of the expiry")
                        .isLessThan(Duration.ofSeconds(1));
                assertThat(i.lines()).containsSubsequence("transition FORCED_OPEN " + id + ": force-open by it until " + expiresAt,
                        "transition CLOSED " + id + " expired");
            }
        }
    }

    /** The expiry the instance reports in its reason, once it applied the command. */
    private static String reasonUntil(StatusReader reader, FleetInstance instance, String id) {
        await().atMost(Duration.ofSeconds(10)).until(() -> orders(reader, instance).reason().startsWith(id + ":"));
        String reason = orders(reader, instance).reason();
        return reason.substring(reason.indexOf(" until ") + " until ".length());
    }
}
