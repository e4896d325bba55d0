package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.tools.ToolProvider;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delegate built against an older kafka-clients than the one in use: its class lacks methods that the
 * running {@link Producer} declares. Made here by compiling a producer against a {@code Producer} with only
 * {@code send} and {@code close}, then loading it beside the real one.
 */
class OlderDelegateTest {

    private static final String OLD_INTERFACE = """
            package org.apache.kafka.clients.producer;
            public interface Producer<K, V> extends java.io.Closeable {
                java.util.concurrent.Future<RecordMetadata> send(ProducerRecord<K, V> record);
                java.util.concurrent.Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback);
                void close();
            }
            """;

    private static final String OLD_PRODUCER = """
            package old;
            import java.util.concurrent.*;
            import org.apache.kafka.clients.producer.*;
            public class OldProducer implements Producer<String, String> {
                public final java.util.List<String> calls = new CopyOnWriteArrayList<>();
                public Future<RecordMetadata> send(ProducerRecord<String, String> record) { return send(record, null); }
                public Future<RecordMetadata> send(ProducerRecord<String, String> record, Callback callback) {
                    calls.add("send");
                    return CompletableFuture.completedFuture(null);
                }
                public void close() { calls.add("close"); }
            }
            """;

    @TempDir
    Path dir;

    /** A new {@code old.OldProducer}: it implements the real {@link Producer}, but only send and close. */
    private Object oldProducer() throws Exception {
        Path src = dir.resolve("src");
        Path oldInterface = Files.createDirectories(src.resolve("org/apache/kafka/clients/producer")).resolve("Producer.java");
        Path oldProducer = Files.createDirectories(src.resolve("old")).resolve("OldProducer.java");
        Files.writeString(oldInterface, OLD_INTERFACE);
        Files.writeString(oldProducer, OLD_PRODUCER);
        Path out = Files.createDirectories(dir.resolve("classes"));
        String kafkaClients = Path.of(Producer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, diagnostics, "-classpath", kafkaClients,
                "-d", out.toString(), oldInterface.toString(), oldProducer.toString());
        assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();
        // Only the producer is loaded from here: Producer is the real one of this classpath.
        Files.delete(out.resolve("org/apache/kafka/clients/producer/Producer.class"));
        URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader());
        return loader.loadClass("old.OldProducer").getConstructor().newInstance();
    }

    @Test
    @SuppressWarnings({"unchecked", "deprecation"})
    void whatTheDelegateLacksFailsNamingTheMethodAndTheVersionOrIsSkippedWhenHarmless() throws Exception {
        Object loaded = oldProducer();
        List<String> calls = (List<String>) loaded.getClass().getField("calls").get(loaded);
        Producer<String, String> old = (Producer<String, String>) loaded;
        try (CircuitBreakerProducer<String, String> wrapper =
                     CircuitBreakerProducer.builder(old).breaker(CircuitBreaker.ofDefaults("older-delegate")).watchdog(false).build()) {
            assertThatThrownBy(() -> old.clientInstanceId(Duration.ofSeconds(1))).as("the trap, unwrapped")
                    .isInstanceOf(AbstractMethodError.class);

            assertThatThrownBy(() -> wrapper.clientInstanceId(Duration.ofSeconds(1)))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("clientInstanceId(Duration) is not implemented by old.OldProducer, which was built against an "
                            + "older kafka-clients than the " + KafkaClientVersion.current() + " in use");
            // Metric subscription only feeds Kafka's client telemetry: nothing to do without it.
            wrapper.registerMetricForSubscription(null);
            wrapper.unregisterMetricFromSubscription(null);
            assertThatThrownBy(() -> wrapper.sendOffsetsToTransaction(java.util.Map.of(), "g"))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("sendOffsetsToTransaction(Map, String)");

            wrapper.send(new ProducerRecord<>("t", "v"));
        }
        assertThat(calls).containsExactly("send", "close");
    }
}
