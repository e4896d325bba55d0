package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.testkit.ForkedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** A broker in its own JVM: frozen with SIGSTOP, resumed, killed with SIGKILL, stopped with SIGTERM, restarted on its data. */
class ForkedBrokerIT {

    @Test
    void aClientOnTheDirectAddressBypassesTheProxyAndTheBrokerJvmTakesTheGivenOptions() throws Exception {
        try (ForkedKafkaBroker broker = ForkedKafkaBroker.builder().jvmOption("-XX:TieredStopAtLevel=4").start();
             KafkaProducer<String, String> direct = Records.producer(broker.directBootstrapServers(), Map.of(
                     ProducerConfig.LINGER_MS_CONFIG, 0));
             KafkaProducer<String, String> proxied = Records.producer(broker.bootstrapServers(), Map.of(
                     ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4_000,
                     ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                     ProducerConfig.LINGER_MS_CONFIG, 0,
                     ProducerConfig.MAX_BLOCK_MS_CONFIG, 4_000))) {
            assertThat(broker.directBootstrapServers()).isNotEqualTo(broker.bootstrapServers());
            List<String> command = List.of(Files.readString(Path.of("/proc/" + broker.pid() + "/cmdline")).split("\0"));
            assertThat(command)
                    .as("the option comes after the testkit's C1-only one, so it wins")
                    .containsSubsequence("-XX:TieredStopAtLevel=1", "-XX:TieredStopAtLevel=4");

            broker.proxy().blackHole();

            direct.send(new ProducerRecord<>("direct", "k", "through no proxy")).get(60, TimeUnit.SECONDS);
            assertThatThrownBy(() -> proxied.send(new ProducerRecord<>("direct", "k", "black-holed")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
        }
    }

    @Test
    void aJvmOptionMustLookLikeOne() {
        assertThatThrownBy(() -> ForkedKafkaBroker.builder().jvmOption("Xmx1g"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a JVM option starts with '-', but was 'Xmx1g'");
        assertThatThrownBy(() -> ForkedKafkaBroker.builder().jvmOption(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void freezeResumeKillStopAndRestart() throws Exception {
        try (ForkedKafkaBroker broker = ForkedKafkaBroker.start();
             KafkaProducer<String, String> producer = Records.producer(broker.bootstrapServers(), Map.of(
                     ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4_000,
                     ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                     ProducerConfig.LINGER_MS_CONFIG, 0,
                     ProducerConfig.MAX_BLOCK_MS_CONFIG, 4_000))) {
            assertThat(broker.pid()).isNotEqualTo(ProcessHandle.current().pid());
            producer.send(new ProducerRecord<>("forked", "k", "0")).get(60, TimeUnit.SECONDS);

            broker.freeze();
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("forked", "k", "frozen")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
            broker.resume();
            producer.send(new ProducerRecord<>("forked", "k", "resumed")).get(60, TimeUnit.SECONDS);

            long killedPid = broker.pid();
            broker.kill();
            assertThat(broker.isAlive()).isFalse();
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("forked", "k", "dead")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);

            broker.restart();
            assertThat(broker.pid()).isNotEqualTo(killedPid);
            producer.send(new ProducerRecord<>("forked", "k", "restarted")).get(60, TimeUnit.SECONDS);

            // A clean stop (SIGTERM, controlled shutdown) ends the JVM in time, or stop() would have killed it and thrown.
            long stoppedPid = broker.pid();
            broker.stop(Duration.ofSeconds(30));
            assertThat(broker.isAlive()).isFalse();
            assertThat(ProcessHandle.of(stoppedPid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("forked", "k", "stopped")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
            broker.restart();
            producer.send(new ProducerRecord<>("forked", "k", "after-stop")).get(60, TimeUnit.SECONDS);
            // The data survived the kill and the stop: every acknowledged record is still there.
            assertThat(Records.consume(broker.bootstrapServers(), "forked", 4))
                    .extracting(r -> r.value()).contains("0", "resumed", "restarted", "after-stop");
        }
    }
}
