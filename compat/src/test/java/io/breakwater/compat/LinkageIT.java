package io.breakwater.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.consumer.GatedConsumer;
import io.breakwater.eventbus.EventBus;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.status.StatusPublisher;
import io.breakwater.testkit.Workspace;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every class, field and method of Kafka that the library modules refer to exists in this release: read from
 * the library's class files, so that code no test runs (an error path, a rarely used method) is checked too.
 * The only exceptions are the references that code reaches after checking that the release has them.
 */
class LinkageIT {

    /** The library modules that use kafka-clients, each by one of its classes. */
    private static final List<Class<?>> MODULES = List.of(StatusPublisher.class, CircuitBreakerProducer.class,
            RedpandaTransport.class, EventBus.class, GatedConsumer.class);

    /**
     * References that code reaches only after checking that the running kafka-clients has them, with the release that
     * brought them: {@code ForwardingProducer}'s metric subscription, and the consumer's {@code ConsumerClose}.
     */
    private static final Map<String, String> GUARDED = Map.of(
            "org/apache/kafka/clients/producer/Producer#registerMetricForSubscription(Lorg/apache/kafka/common/metrics/KafkaMetric;)V", "4.0",
            "org/apache/kafka/clients/producer/Producer#unregisterMetricFromSubscription(Lorg/apache/kafka/common/metrics/KafkaMetric;)V", "4.0",
            "org/apache/kafka/clients/consumer/CloseOptions", "4.1",
            "org/apache/kafka/clients/consumer/CloseOptions#timeout(Ljava/time/Duration;)Lorg/apache/kafka/clients/consumer/CloseOptions;", "4.1",
            "org/apache/kafka/clients/consumer/Consumer#close(Lorg/apache/kafka/clients/consumer/CloseOptions;)V", "4.1");

    /** Each reference of the library to Kafka, as {@code class -> reference}. */
    private static Map<String, KafkaReferences.Reference> references() throws Exception {
        Map<String, KafkaReferences.Reference> found = new TreeMap<>();
        for (Class<?> module : MODULES) {
            Path location = Path.of(module.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Map.Entry<String, Set<KafkaReferences.Reference>> e : classFiles(location).entrySet()) {
                e.getValue().forEach(r -> found.put(e.getKey() + " -> " + r, r));
            }
        }
        return found;
    }

    /** The Kafka references of every class file in a jar or a folder of classes. */
    private static Map<String, Set<KafkaReferences.Reference>> classFiles(Path location) throws IOException {
        Map<String, Set<KafkaReferences.Reference>> classes = new TreeMap<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    try (InputStream in = Files.newInputStream(file)) {
                        classes.put(location.relativize(file).toString(), KafkaReferences.of(in));
                    }
                }
            }
            return classes;
        }
        try (JarFile jar = new JarFile(location.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                if (entry.getName().endsWith(".class")) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        classes.put(entry.getName(), KafkaReferences.of(in));
                    }
                }
            }
        }
        return classes;
    }

    @Test
    void everyReferenceOfTheLibraryToKafkaResolvesOnThisRelease() throws Exception {
        Map<String, KafkaReferences.Reference> references = references();
        List<String> unresolved = new ArrayList<>();
        references.forEach((where, reference) -> {
            String why = KafkaReferences.unresolved(reference, getClass().getClassLoader());
            if (why != null && !GUARDED.containsKey(reference.toString())) {
                unresolved.add(where + ": " + why);
            }
        });
        System.out.printf("compat %s: %d references of the library to Kafka checked%n", ClientVersionIT.UNDER_TEST, references.size());
        assertThat(references).as("references read").hasSizeGreaterThan(200);
        assertThat(unresolved).as("references to Kafka that kafka-clients %s lacks", ClientVersionIT.UNDER_TEST).isEmpty();
    }

    @Test
    void everyLibraryModuleThatUsesKafkaIsChecked() throws Exception {
        Path root = Workspace.root();
        String bom = Files.readString(root.resolve("bom/pom.xml"));
        List<Path> scanned = new ArrayList<>();
        for (Class<?> module : MODULES) {
            scanned.add(Path.of(module.getProtectionDomain().getCodeSource().getLocation().toURI()));
        }
        List<String> unchecked = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(d -> Files.isDirectory(d.resolve("src/main/java"))).toList()) {
                Matcher id = Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>").matcher(Files.readString(dir.resolve("pom.xml")));
                boolean library = id.find() && bom.contains("<artifactId>" + id.group(1) + "</artifactId>")
                        && !id.group(1).equals("breakwater-testkit")
                        // Spring Boot 4 needs kafka-clients 4.1 or later: the starter runs on the client Boot manages
                        // (StarterIT, on Boot 4.0 and 4.1), not on this module's older releases.
                        && !id.group(1).equals("breakwater-spring-boot-starter");
                if (library && usesKafka(dir.resolve("src/main/java")) && scanned.stream().noneMatch(p -> p.startsWith(dir))) {
                    unchecked.add(dir.getFileName().toString());
                }
            }
        }
        assertThat(unchecked).as("library modules that use Kafka and are not in MODULES (nor on this module's classpath)")
                .isEmpty();
    }

    private static boolean usesKafka(Path sources) throws IOException {
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                if (Files.readString(file).contains("org.apache.kafka.")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void theGuardedReferencesAreSeenAndMissingExactlyBeforeTheirRelease() throws Exception {
        Map<String, KafkaReferences.Reference> byName = new TreeMap<>();
        references().values().forEach(r -> byName.put(r.toString(), r));
        assertThat(byName).containsKeys(GUARDED.keySet().toArray(String[]::new));
        GUARDED.forEach((guarded, since) -> {
            boolean missing = KafkaReferences.unresolved(byName.get(guarded), getClass().getClassLoader()) != null;
            assertThat(missing).as("%s (from %s) missing on %s", guarded, since, ClientVersionIT.UNDER_TEST)
                    .isEqualTo(before(ClientVersionIT.UNDER_TEST, since));
        });
    }

    /** Whether release {@code version} ({@code 3.9.1}) comes before {@code majorMinor} ({@code 4.1}). */
    private static boolean before(String version, String majorMinor) {
        String[] v = version.split("\\.");
        String[] m = majorMinor.split("\\.");
        int major = Integer.parseInt(v[0]);
        return major != Integer.parseInt(m[0]) ? major < Integer.parseInt(m[0]) : Integer.parseInt(v[1]) < Integer.parseInt(m[1]);
    }
}
