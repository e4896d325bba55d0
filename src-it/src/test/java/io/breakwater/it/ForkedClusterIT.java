package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.testkit.ForkedKafkaCluster;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;

/**
 * Three KRaft nodes, each in a JVM of its own, with a 3-voter quorum; a topic with replication factor 3 and
 * min.insync.replicas 2, written with acks=all. A controlled shutdown moves the leader and writes go on; with a
 * majority killed writes fail, and the two restarted together bring the quorum back; all three killed and
 * restarted together keep every acknowledged record.
 */
class ForkedClusterIT {

    private static final String TOPIC = "replicated";

    @Test
    void eachNodeInItsOwnJvmSurvivesAControlledShutdownAKilledMajorityAndAllNodesKilled() throws Exception {
        try (ForkedKafkaCluster kafka = ForkedKafkaCluster.builder().nodes(3).heapMegabytes(384)
                .startTimeout(Duration.ofSeconds(90)).start()) {
            Set<Long> pids = new HashSet<>(List.of(kafka.pid(0), kafka.pid(1), kafka.pid(2)));
            assertThat(pids).hasSize(3).doesNotContain(ProcessHandle.current().pid());
            assertThat(kafka.admin().describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
            assertThat(kafka.bootstrapServers().split(",")).hasSize(3)
                    .containsExactly(kafka.proxy(0).address(), kafka.proxy(1).address(), kafka.proxy(2).address());
            kafka.createTopic(TOPIC, 1, 3, Map.of("min.insync.replicas", "2"));
            assertThat(write(kafka, "all three").offset()).isZero();

            int leader = leader(kafka).leader().id();
            kafka.stop(leader, Duration.ofSeconds(60));
            assertThat(kafka.isAlive(leader)).isFalse();
            await("a new leader").atMost(Duration.ofSeconds(30)).until(() -> {
                var l = leader(kafka).leader();
                return l != null && l.id() != leader;
            });
            write(kafka, "leader moved");
            kafka.restart(leader);

            int a = (leader + 1) % 3;
            int b = (leader + 2) % 3;
            kafka.kill(a);
            kafka.kill(b);
            assertThatThrownBy(() -> write(kafka, "one of three", 6_000))
                    .isInstanceOfAny(ExecutionException.class, java.util.concurrent.TimeoutException.class);
            kafka.restart(a, b);
            write(kafka, "majority back");

            kafka.kill(0);
            kafka.kill(1);
            kafka.kill(2);
            kafka.restart(0, 1, 2);
            write(kafka, "all back");

            List<ConsumerRecord<String, String>> read = Records.consume(kafka.bootstrapServers(), TOPIC, 4);
            assertThat(read).extracting(ConsumerRecord::value)
                    .contains("all three", "leader moved", "majority back", "all back");
        }
    }

    @Test
    void badNodesAndOptionsAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> ForkedKafkaCluster.builder().nodes(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodes must be in [1, 9], but was 0");
        assertThatThrownBy(() -> ForkedKafkaCluster.builder().heapMegabytes(64)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("heapMegabytes must be >= 128, but was 64");
        assertThatThrownBy(() -> ForkedKafkaCluster.builder().startTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("startTimeout must be > 0, but was PT0S");
        try (ForkedKafkaCluster kafka = ForkedKafkaCluster.builder().heapMegabytes(256).start()) {
            assertThatThrownBy(() -> kafka.kill(1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("node must be in [0, 0], but was 1");
            assertThatThrownBy(() -> kafka.restart()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("restart needs at least one node, but was given none");
            assertThatThrownBy(() -> kafka.stop(0, null)).isInstanceOf(NullPointerException.class).hasMessage("timeout");
        }
    }

    private static TopicPartitionInfo leader(ForkedKafkaCluster kafka) throws Exception {
        TopicDescription topic = kafka.admin().describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC);
        return topic.partitions().get(0);
    }

    private static RecordMetadata write(ForkedKafkaCluster kafka, String value) throws Exception {
        return write(kafka, value, 60_000);
    }

    /** One acks=all write by a fresh idempotent producer, waiting at most {@code timeoutMs} for its answer. */
    private static RecordMetadata write(ForkedKafkaCluster kafka, String value, int timeoutMs) throws Exception {
        KafkaProducer<String, String> producer = Records.producer(kafka.bootstrapServers(), Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 5_000),
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs));
        try {
            return producer.send(new ProducerRecord<>(TOPIC, "k", value)).get(timeoutMs + 10_000L, TimeUnit.MILLISECONDS);
        } finally {
            producer.close(Duration.ofSeconds(5)); // a record still unanswered must not hold the test
        }
    }
}
