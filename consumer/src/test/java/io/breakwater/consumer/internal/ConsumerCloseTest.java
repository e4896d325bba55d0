package io.breakwater.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.tools.ToolProvider;
import org.apache.kafka.clients.consumer.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsumerCloseTest {

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void aConsumerWithCloseOptionsIsClosedWithThem() {
        List<String> calls = new CopyOnWriteArrayList<>();
        Consumer<String, String> consumer = (Consumer<String, String>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Consumer.class}, (proxy, method, args) -> {
                    calls.add(method.getName() + "(" + method.getParameterTypes()[0].getSimpleName() + ")");
                    return null;
                });
        ConsumerClose.close(consumer, Duration.ofSeconds(3));
        assertThat(calls).containsExactly("close(CloseOptions)");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aConsumerBuiltAgainstKafkaClientsBefore41IsClosedWithADuration() throws Exception {
        // Compiled against a Consumer with close(Duration) only, as kafka-clients 3.7 to 4.0 have it, then loaded
        // beside the real one: its class has no close(CloseOptions).
        Path src = Files.createDirectories(dir.resolve("src/org/apache/kafka/clients/consumer"));
        Files.writeString(src.resolve("Consumer.java"), """
                package org.apache.kafka.clients.consumer;
                public interface Consumer<K, V> extends java.io.Closeable {
                    void close(java.time.Duration timeout);
                }
                """);
        Path old = Files.createDirectories(dir.resolve("src/old"));
        Files.writeString(old.resolve("OldConsumer.java"), """
                package old;
                public class OldConsumer implements org.apache.kafka.clients.consumer.Consumer<String, String> {
                    public final java.util.List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
                    public void close() { calls.add("close()"); }
                    public void close(java.time.Duration timeout) { calls.add("close(" + timeout + ")"); }
                }
                """);
        Path out = Files.createDirectories(dir.resolve("classes"));
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, diagnostics, "-d", out.toString(),
                src.resolve("Consumer.java").toString(), old.resolve("OldConsumer.java").toString());
        assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();
        Files.delete(out.resolve("org/apache/kafka/clients/consumer/Consumer.class")); // the real one is loaded instead
        try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader())) {
            Object loaded = loader.loadClass("old.OldConsumer").getConstructor().newInstance();
            ConsumerClose.close((Consumer<String, String>) loaded, Duration.ofSeconds(3));
            assertThat((List<String>) loaded.getClass().getField("calls").get(loaded)).containsExactly("close(PT3S)");
        }
    }
}
