package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.testkit.RealBroker;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/** Three combined nodes with a 3-voter quorum; replication factor 3, min.insync.replicas 2. */
@RealBroker(nodes = 3, faults = true)
class MultiNodeIT {

    @Test
    void acksAllSurvivesOneStoppedNodeAndFailsWithTwo(EmbeddedKafkaCluster kafka) throws Exception {
        assertThat(kafka.admin().describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
        kafka.createTopic("replicated", 1, 3, Map.of("min.insync.replicas", "2"));
        Map<String, Object> fast = Map.of(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 8_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 8_000);
        try (KafkaProducer<String, String> producer = Records.producer(kafka.bootstrapServers(), fast)) {
            RecordMetadata first = producer.send(new ProducerRecord<>("replicated", "k", "all three")).get(30, TimeUnit.SECONDS);
            assertThat(first.offset()).isZero();

            kafka.stop(2);
            RecordMetadata second = producer.send(new ProducerRecord<>("replicated", "k", "two of three"))
                    .get(30, TimeUnit.SECONDS);
            assertThat(second.offset()).isEqualTo(1);

            kafka.stop(1);
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("replicated", "k", "one of three"))
                    .get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(KafkaException.class);

            kafka.start(1);
            kafka.start(2);
            RecordMetadata back = producer.send(new ProducerRecord<>("replicated", "k", "back to three"))
                    .get(60, TimeUnit.SECONDS);
            assertThat(back.offset()).isGreaterThanOrEqualTo(2);
        }
    }
}
