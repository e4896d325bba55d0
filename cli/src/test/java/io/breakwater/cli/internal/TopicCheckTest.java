package io.breakwater.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.eventbus.EventBus;
import io.breakwater.testkit.EmbeddedKafkaCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The demo's read-back, on the embedded broker: it reads the topic from the run's start, not from the beginning, so a
 * demo topic that earlier runs on a user's cluster filled is not read whole each time.
 */
class TopicCheckTest {

    @Test
    void theReadBackStartsAtTheRunNotAtTheTopicsBeginning() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.startSingleNode();
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            long runStart = System.currentTimeMillis();
            long anHourBefore = runStart - Duration.ofHours(1).toMillis();
            send(producer, anHourBefore, "earlier-run");   // an event of an earlier run
            send(producer, runStart + 10, "this-run");

            assertThat(TopicCheck.missing(kafka.bootstrapServers(), "demo-orders", Set.of("this-run"), Duration.ofSeconds(30),
                    () -> false, runStart)).as("this run's event is found").isZero();
            assertThat(TopicCheck.missing(kafka.bootstrapServers(), "demo-orders", Set.of("this-run", "earlier-run"),
                    Duration.ofSeconds(30), () -> false, runStart)).as("the earlier run's is not read").isEqualTo(1);
            assertThat(TopicCheck.missing(kafka.bootstrapServers(), "demo-orders", Set.of("this-run", "earlier-run"),
                    Duration.ofSeconds(30), () -> false, anHourBefore)).as("from an hour before, both are").isZero();
        }
    }

    private static void send(KafkaProducer<String, String> producer, long timestamp, String id) throws Exception {
        ProducerRecord<String, String> record = new ProducerRecord<>("demo-orders", null, timestamp, "k", "{}");
        record.headers().add(EventBus.EVENT_ID_HEADER, id.getBytes(StandardCharsets.UTF_8));
        producer.send(record).get();
    }
}
