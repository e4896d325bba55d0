package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.testkit.RealBroker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the proxy and stop/start do to a plain producer on the embedded broker. */
@RealBroker(faults = true)
class FaultInjectionIT {

    private static final Map<String, Object> SHORT_TIMEOUTS = Map.of(
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
            ProducerConfig.LINGER_MS_CONFIG, 0,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 4_000);

    private EmbeddedKafkaCluster kafka;

    @AfterEach
    void heal() {
        if (kafka != null) {
            kafka.passAll();
            kafka.start(0);
        }
    }

    @Test
    void aBlackHoleMakesAPlainProducersSendTimeOut(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        kafka.createTopic("black-hole");
        try (KafkaProducer<String, String> producer = Records.producer(kafka.bootstrapServers(), SHORT_TIMEOUTS)) {
            producer.send(new ProducerRecord<>("black-hole", "k", "before")).get(30, TimeUnit.SECONDS);

            kafka.proxy(0).blackHole();
            long start = System.nanoTime();
            Future<RecordMetadata> during = producer.send(new ProducerRecord<>("black-hole", "k", "during"));
            assertThatThrownBy(() -> during.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertThat(waited).as("the producer waited for its delivery timeout").isGreaterThan(Duration.ofSeconds(3));

            kafka.proxy(0).pass();
            producer.send(new ProducerRecord<>("black-hole", "k", "after")).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aStoppedNodeComesBackOnTheSamePortsAndClientsReconnect(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        kafka.createTopic("restart");
        try (KafkaProducer<String, String> producer = Records.producer(kafka.bootstrapServers(), SHORT_TIMEOUTS)) {
            producer.send(new ProducerRecord<>("restart", "k", "before")).get(30, TimeUnit.SECONDS);
            kafka.stop(0);
            assertThat(kafka.isRunning(0)).isFalse();
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("restart", "k", "down")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
            kafka.start(0);
            RecordMetadata after = producer.send(new ProducerRecord<>("restart", "k", "after")).get(60, TimeUnit.SECONDS);
            assertThat(after.offset()).isEqualTo(1);
        }
    }

    @Test
    void aCutProxyFailsSendsAndPassRestoresThem(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        kafka.createTopic("cut");
        try (KafkaProducer<String, String> producer = Records.producer(kafka.bootstrapServers(), SHORT_TIMEOUTS)) {
            producer.send(new ProducerRecord<>("cut", "k", "before")).get(30, TimeUnit.SECONDS);
            kafka.cutAll();
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("cut", "k", "cut")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
            kafka.passAll();
            producer.send(new ProducerRecord<>("cut", "k", "after")).get(60, TimeUnit.SECONDS);
        }
    }
}
