package io.breakwater.interceptors;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.producer.Producer;

/**
 * The version of the kafka-clients jar this JVM runs, such as {@code 3.9.1} or {@code 4.4.0}.
 *
 * <p>Read from {@code kafka/kafka-version.properties} in the jar (or folder) that Kafka's {@link Producer}
 * was loaded from, not from whichever copy of that file comes first on the classpath: Kafka's broker jars
 * carry one too, with their own version. Works on every kafka-clients release Breakwater supports (3.7 to
 * 4.4), unlike Kafka's {@code AppInfoParser}, which moved to an {@code internals} package in 4.x.
 *
 * <p>Thread-safe: the version is read once and kept.
 */
public final class KafkaClientVersion {

    /** What {@link #current()} returns when the kafka-clients jar carries no version. */
    public static final String UNKNOWN = "unknown";

    private static final String PRODUCER_CLASS = Producer.class.getName().replace('.', '/') + ".class";
    private static final String VERSION_FILE = "kafka/kafka-version.properties";

    private KafkaClientVersion() {
    }

    /** The kafka-clients version in use, or {@value #UNKNOWN}. */
    public static String current() {
        return Holder.VERSION;
    }

    /**
     * The version recorded beside a kafka-clients {@code Producer.class}, given the URL that class was loaded
     * from ({@code jar:file:/.../kafka-clients-3.9.1.jar!/org/apache/kafka/clients/producer/Producer.class}),
     * or {@value #UNKNOWN} when there is no such file or it names no version.
     */
    static String of(URL producerClass) {
        Objects.requireNonNull(producerClass, "producerClass");
        String url = producerClass.toExternalForm();
        if (!url.endsWith(PRODUCER_CLASS)) {
            return UNKNOWN;
        }
        try {
            URLConnection connection = URI.create(url.substring(0, url.length() - PRODUCER_CLASS.length()) + VERSION_FILE)
                    .toURL().openConnection();
            connection.setUseCaches(false); // no jar file left open behind the stream
            Properties properties = new Properties();
            try (InputStream in = connection.getInputStream()) {
                properties.load(in);
            }
            String version = properties.getProperty("version", "").trim();
            return version.isEmpty() ? UNKNOWN : version;
        } catch (IOException | IllegalArgumentException e) {
            return UNKNOWN;
        }
    }

    private static final class Holder {
        static final String VERSION = read();

        private static String read() {
            URL url = Producer.class.getResource("/" + PRODUCER_CLASS);
            return url == null ? UNKNOWN : of(url);
        }
    }
}
