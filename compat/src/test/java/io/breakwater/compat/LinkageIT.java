package io.breakwater.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.eventbus.EventBus;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.status.StatusPublisher;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every class, field and method of Kafka that the library modules refer to exists in this release: read from
 * the library's class files, so that code no test runs (an error path, a rarely used method) is checked too.
 * The only exceptions are the calls the wrapper makes after checking that the release has them.
 */
class LinkageIT {

    /** The library modules that use kafka-clients, each by one of its classes. */
    private static final List<Class<?>> MODULES = List.of(StatusPublisher.class, CircuitBreakerProducer.class,
            RedpandaTransport.class, EventBus.class);

    /** Called by {@code ForwardingProducer} only when the delegate has them: kafka-clients 4.0 and later. */
    private static final Set<String> GUARDED = Set.of(
            "org/apache/kafka/clients/producer/Producer#registerMetricForSubscription(Lorg/apache/kafka/common/metrics/KafkaMetric;)V",
            "org/apache/kafka/clients/producer/Producer#unregisterMetricFromSubscription(Lorg/apache/kafka/common/metrics/KafkaMetric;)V");

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
            if (why != null && !GUARDED.contains(reference.toString())) {
                unresolved.add(where + ": " + why);
            }
        });
        System.out.printf("compat %s: %d references of the library to Kafka checked%n", ClientVersionIT.UNDER_TEST, references.size());
        assertThat(references).as("references read").hasSizeGreaterThan(200);
        assertThat(unresolved).as("references to Kafka that kafka-clients %s lacks", ClientVersionIT.UNDER_TEST).isEmpty();
    }

    @Test
    void theGuardedCallsAreSeenAndMissingExactlyBefore4() throws Exception {
        Set<String> seen = new java.util.HashSet<>();
        references().values().forEach(r -> seen.add(r.toString()));
        assertThat(seen).containsAll(GUARDED);
        boolean before4 = ClientVersionIT.UNDER_TEST.startsWith("3.");
        for (String guarded : GUARDED) {
            KafkaReferences.Reference reference = references().values().stream().filter(r -> r.toString().equals(guarded))
                    .findFirst().orElseThrow();
            assertThat(KafkaReferences.unresolved(reference, getClass().getClassLoader()) != null)
                    .as("%s unresolved on %s", guarded, ClientVersionIT.UNDER_TEST).isEqualTo(before4);
        }
    }
}
