package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientVersionTest {

    private static final String PRODUCER_CLASS = "org/apache/kafka/clients/producer/Producer.class";
    private static final String VERSION_FILE = "kafka/kafka-version.properties";

    @TempDir
    Path dir;

    private static Path jar(Path file, Map<String, String> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return file;
    }

    @Test
    void currentIsTheVersionOfTheKafkaClientsJarThatHoldsProducer() throws Exception {
        // This classpath holds Kafka's broker jars too, each with a kafka-version.properties of its own.
        Path clients = Path.of(Producer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Matcher name = Pattern.compile("kafka-clients-(.+)\\.jar").matcher(clients.getFileName().toString());
        assertThat(name.matches()).as("kafka-clients jar name %s", clients).isTrue();
        assertThat(KafkaClientVersion.current()).isEqualTo(name.group(1));
    }

    @Test
    void readsTheFileBesideProducerNotTheFirstOneOnTheClasspath() throws Exception {
        Path server = jar(dir.resolve("kafka-server.jar"), Map.of(VERSION_FILE, "version=4.4.0\n"));
        Path clients = jar(dir.resolve("kafka-clients.jar"), Map.of(PRODUCER_CLASS, "not a class", VERSION_FILE,
                "commitId=f745dfdcee2b9851\nversion=3.9.1\n"));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {server.toUri().toURL(), clients.toUri().toURL()}, null)) {
            assertThat(loader.getResource(VERSION_FILE).toString()).as("the trap: the first copy is the server's").contains("kafka-server");
            assertThat(KafkaClientVersion.of(loader.getResource(PRODUCER_CLASS))).isEqualTo("3.9.1");
        }
    }

    @Test
    void readsAFolderOfClassesToo() throws Exception {
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes.resolve("org/apache/kafka/clients/producer"));
        Files.createDirectories(classes.resolve("kafka"));
        Files.writeString(classes.resolve(PRODUCER_CLASS), "not a class");
        Files.writeString(classes.resolve(VERSION_FILE), "version=3.7.2\n");
        assertThat(KafkaClientVersion.of(classes.resolve(PRODUCER_CLASS).toUri().toURL())).isEqualTo("3.7.2");
    }

    @Test
    void unknownWhenTheJarCarriesNoVersion() throws Exception {
        Path bare = jar(dir.resolve("bare.jar"), Map.of(PRODUCER_CLASS, "not a class"));
        Path blank = jar(dir.resolve("blank.jar"), Map.of(PRODUCER_CLASS, "not a class", VERSION_FILE, "version= \n"));
        try (URLClassLoader bareLoader = new URLClassLoader(new URL[] {bare.toUri().toURL()}, null);
             URLClassLoader blankLoader = new URLClassLoader(new URL[] {blank.toUri().toURL()}, null)) {
            assertThat(KafkaClientVersion.of(bareLoader.getResource(PRODUCER_CLASS))).isEqualTo(KafkaClientVersion.UNKNOWN);
            assertThat(KafkaClientVersion.of(blankLoader.getResource(PRODUCER_CLASS))).isEqualTo(KafkaClientVersion.UNKNOWN);
        }
        assertThat(KafkaClientVersion.of(dir.toUri().toURL())).as("not a Producer.class URL").isEqualTo(KafkaClientVersion.UNKNOWN);
        assertThatThrownBy(() -> KafkaClientVersion.of(null)).isInstanceOf(NullPointerException.class).hasMessage("producerClass");
    }
}
