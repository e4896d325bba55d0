package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.status.StatusPublisher;
import io.breakwater.status.StatusReader;
import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.testkit.KafkaSecurity;
import io.breakwater.testsupport.LogLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the status clients inherit from the producer, on a secured cluster: user {@code app} may write the data topic
 * but not the status topic, user {@code ops} may write (and read) the status topic. With the producer's credentials
 * alone, publishing goes on and the status publisher says once, at ERROR, that it may not write the status topic; with
 * {@code breakwater.status.sasl.jaas.config} naming {@code ops}, the status events go out (README, "Secured clusters").
 */
class SecuredStatusIT {

    private static final String APP_PASSWORD = "app-Secret-5120";
    private static final String OPS_PASSWORD = "ops-Secret-9934";
    private static final String VIEWER_PASSWORD = "viewer-Secret-2718";
    private static final String DATA = "ss-data";
    private static final String STATUS = "ss-status";
    private static final String CONTROL = "ss-control";

    private static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void start() throws Exception {
        KafkaSecurity security = KafkaSecurity.builder()
                .user("app", APP_PASSWORD)
                .user("ops", OPS_PASSWORD)
                .user("viewer", VIEWER_PASSWORD)
                // Sees that the status topic exists, may not read it.
                .allowTopic("viewer", STATUS, AclOperation.DESCRIBE)
                .allowTopic("app", DATA, AclOperation.WRITE, AclOperation.DESCRIBE)
                .allowTopic("ops", STATUS, AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE,
                        AclOperation.DESCRIBE_CONFIGS)
                // The control topic as the README's "Operating a fleet" grants it: operators write, applications read.
                .allowTopic("ops", CONTROL, AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS)
                .allowTopic("app", CONTROL, AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS)
                .build();
        kafka = EmbeddedKafkaCluster.builder().secured(security).start();
        Secured.createTopics(kafka, DATA);
        kafka.createTopic(STATUS, 1, 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopic(CONTROL, 1, 1, Map.of("cleanup.policy", "compact"));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Map<String, Object> props(String breaker, String instance) {
        Map<String, Object> props = Secured.producerProps(kafka, "app");
        props.put("breakwater.breaker.name", breaker);
        props.put("breakwater.instance.id", instance);
        props.put("breakwater.status.topic", STATUS);
        props.put("breakwater.state.restore", "false");
        return props;
    }

    /** {@code props} whose status clients log in as {@code ops} with {@code password}. */
    private static Map<String, Object> asOps(Map<String, Object> props, String password) {
        props.put("breakwater.status.sasl.jaas.config",
                kafka.security().orElseThrow().clientConfig("ops", password).get("sasl.jaas.config"));
        return props;
    }

    private static void sendAll(CircuitBreakerProducer<String, String> producer, int count) throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            acks.add(producer.send(new ProducerRecord<>(DATA, "k" + i, "v" + i)));
        }
        for (Future<RecordMetadata> ack : acks) {
            assertThat(ack.get(30, TimeUnit.SECONDS).topic()).isEqualTo(DATA);
        }
    }

    @Test
    void publishingGoesOnAndTheStatusPublisherReportsItsAuthorizationErrorOnce() throws Exception {
        LogLines log = LogLines.fromNow();
        Map<String, Object> props = props("ss-denied", "ss-denied-it");
        // A handle on the wrapper's own publisher: same cluster settings, topic and instance.
        StatusPublisher publisher = StatusPublisher.create(props, STATUS, "ss-denied-it");
        try (CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props)) {
            sendAll(producer, 20);
            await("three failed attempts to publish the status").atMost(Duration.ofSeconds(30))
                    .until(() -> publisher.failedAttempts() >= 3);
            sendAll(producer, 20);
            assertThat(producer.breaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(publisher.published()).isZero();
            assertThat(publisher.lastError()).hasValueSatisfying(e -> assertThat(e)
                    .contains("TopicAuthorizationException").contains(STATUS));
        } finally {
            publisher.close(Duration.ofMillis(100)); // the last handle: what waits cannot be published anyway
        }
        List<String> reported = log.containing("may not write the status topic " + STATUS);
        assertThat(reported).as("reported once, though every attempt failed").hasSize(1);
        assertThat(reported.get(0)).contains(" ERROR ").contains("ss-denied-it").contains("User:app")
                .contains("breakwater.status.sasl.jaas.config");
        assertThat(log.text()).doesNotContain(APP_PASSWORD).doesNotContain(OPS_PASSWORD);
    }

    @Test
    void breakwaterStatusCredentialsLetTheStatusClientsWriteAndReadWhatTheProducerMayNot() throws Exception {
        LogLines log = LogLines.fromNow();
        Map<String, Object> props = props("ss-ops", "ss-ops-it");
        props.put("breakwater.status.sasl.jaas.config", kafka.clientConfig("ops").get("sasl.jaas.config"));
        StatusPublisher publisher = StatusPublisher.create(props, STATUS, "ss-ops-it");
        try (CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props)) {
            sendAll(producer, 20);
            // Given the producer's properties, the reader too logs in as ops.
            try (StatusReader reader = StatusReader.start(props, STATUS)) {
                await("ss-ops-it/ss-ops on the status topic").atMost(Duration.ofSeconds(30))
                        .until(() -> reader.fleet().containsKey("ss-ops-it/ss-ops"));
                assertThat(reader.fleet().get("ss-ops-it/ss-ops").to()).isEqualTo(CircuitBreakerState.CLOSED);
            }
            assertThat(publisher.published()).isPositive();
            assertThat(publisher.lastError()).isEmpty();
        } finally {
            publisher.close();
        }
        assertThat(log.containing("may not write the status topic")).isEmpty();
        assertThat(log.text()).doesNotContain(APP_PASSWORD).doesNotContain(OPS_PASSWORD);
    }

    @Test
    void aWrongStatusPasswordIsReportedOnceNamingThePrincipalAndPublishingGoesOn() throws Exception {
        LogLines log = LogLines.fromNow();
        String wrong = "Wrong-Secret-4418";
        Map<String, Object> props = asOps(props("ss-wrong", "ss-wrong-it"), wrong);
        StatusPublisher publisher = StatusPublisher.create(props, STATUS, "ss-wrong-it");
        try (CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props)) {
            sendAll(producer, 20);
            await("three failed attempts to publish the status").atMost(Duration.ofSeconds(30))
                    .until(() -> publisher.failedAttempts() >= 3);
            sendAll(producer, 20);
            assertThat(producer.breaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(publisher.lastError()).hasValueSatisfying(e -> assertThat(e).contains("SaslAuthenticationException"));
        } finally {
            publisher.close(Duration.ofMillis(100));
        }
        List<String> reported = log.containing("cannot log in to the status topic's cluster");
        assertThat(reported).as("reported once, though every attempt failed").hasSize(1);
        assertThat(reported.get(0)).contains(" ERROR ").contains("ss-wrong-it").contains("User:ops");
        assertThat(log.text()).doesNotContain(wrong).doesNotContain(APP_PASSWORD).doesNotContain(OPS_PASSWORD);
    }

    @Test
    void aHandleWithRotatedCredentialsReachesThePublisherOfItsInstance() throws Exception {
        // One producer per instance: the handle opened first holds credentials that no longer log in; the one opened
        // next, with the new password, must not be left behind them while the first stays open.
        LogLines log = LogLines.fromNow();
        String revoked = "Revoked-Secret-3371";
        Map<String, Object> before = asOps(props("ss-rotate", "ss-rotate-it"), revoked);
        Map<String, Object> after = asOps(props("ss-rotate", "ss-rotate-it"), OPS_PASSWORD);
        StatusPublisher first = StatusPublisher.create(before, STATUS, "ss-rotate-it");
        StatusPublisher second = null;
        try {
            await("the revoked password refused").atMost(Duration.ofSeconds(30)).until(() -> first.failedAttempts() >= 1);
            second = StatusPublisher.create(after, STATUS, "ss-rotate-it");
            StatusPublisher rotated = second;
            await("published with the new password").atMost(Duration.ofSeconds(30))
                    .until(() -> rotated.published() > 0 && rotated.pending() == 0);
            assertThat(rotated.lastError()).isEmpty();
        } finally {
            first.close(Duration.ofMillis(100));
            if (second != null) {
                second.close(Duration.ofSeconds(5));
            }
        }
        assertThat(log.containing("ss-rotate-it", "its settings replace those from the next send")).hasSize(1);
        assertThat(log.text()).doesNotContain(revoked).doesNotContain(OPS_PASSWORD).doesNotContain(APP_PASSWORD);
    }

    /**
     * An application's principal may read the control topic but not write it: its {@code force-open} is refused with
     * exit code 1, writes nothing and changes no breaker; the same command from {@code ops} is applied.
     */
    @Test
    void aCommandFromAPrincipalWithoutWriteOnTheControlTopicIsRefusedAndNothingIsApplied(@TempDir Path dir)
            throws Exception {
        Map<String, Object> props = props("ss-switched", "ss-switched-it");
        props.put("breakwater.control.enabled", "true");
        props.put("breakwater.control.topic", CONTROL);
        try (CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props)) {
            sendAll(producer, 5);
            String[] command = {"force-open", "ss-switched", "--bootstrap-server", kafka.bootstrapServers(), "--topic", CONTROL,
                    "--status-topic", STATUS, "--by", "someone"};

            Path app = Files.createDirectories(dir.resolve("app"));
            CliRun refused = CliRun.of(withConfig(command, Secured.commandConfig(app, kafka.clientConfig("app"))));
            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(1);
            assertThat(refused.err()).contains("Not allowed to write command cmd-").contains("to the control topic " + CONTROL)
                    .contains("only operators may").doesNotContain(APP_PASSWORD);
            assertThat(controlRecords()).as("records on the control topic").isZero();
            sendAll(producer, 5);
            assertThat(producer.breaker().state()).isEqualTo(CircuitBreakerState.CLOSED);

            Path ops = Files.createDirectories(dir.resolve("ops"));
            CliRun allowed = CliRun.of(withConfig(command, Secured.commandConfig(ops, kafka.clientConfig("ops"))));
            assertThat(allowed.exitCode()).as(allowed.err()).isZero();
            assertThat(controlRecords()).isEqualTo(1);
            await("the operator's force-open applied").atMost(Duration.ofSeconds(30))
                    .until(() -> producer.breaker().state() == CircuitBreakerState.FORCED_OPEN);
            assertThat(allowed.out() + allowed.err()).doesNotContain(OPS_PASSWORD);
        }
    }

    /**
     * {@code breakwater status} as a principal that may see the status topic but not read it: the table it shows is
     * empty, and it must not pass for an all-clear. Exit code 1, and the reader's error on stderr.
     */
    @Test
    void statusThatCannotReadTheTopicFailsAndSaysWhy(@TempDir Path dir) throws Exception {
        CliRun run = CliRun.of(withConfig(new String[] {"status", "--bootstrap-server", kafka.bootstrapServers(), "--topic",
                STATUS, "--timeout", "3s"}, Secured.commandConfig(dir, kafka.clientConfig("viewer"))));
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("Could not read all of '" + STATUS + "' within 3s")
                .contains("TopicAuthorizationException").doesNotContain(VIEWER_PASSWORD);
        assertThat(run.out()).doesNotContain(VIEWER_PASSWORD);
    }

    private static String[] withConfig(String[] command, Path config) {
        String[] all = Arrays.copyOf(command, command.length + 2);
        all[command.length] = "--command-config";
        all[command.length + 1] = config.toString();
        return all;
    }

    /** The records the control topic holds, read as the admin: its one partition's end offset. */
    private static long controlRecords() throws Exception {
        TopicPartition partition = new TopicPartition(CONTROL, 0);
        return kafka.admin().listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                .get(30, TimeUnit.SECONDS).offset();
    }
}
