package io.breakwater.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the brokers quiet: their loggers log at WARN unless the system property
 * {@value #LEVEL_PROPERTY} says otherwise (for example {@code -Dbreakwater.broker.log.level=info}).
 * Works with slf4j-simple, which reads per-logger levels from system properties when a logger is made.
 * Forked brokers write their output into their temporary directory, or into the directory named by
 * {@value #DIRECTORY_PROPERTY}, where it stays after the broker is gone (the build sets it to
 * {@code target/broker-logs}).
 */
public final class BrokerLogging {

    /** The system property that sets the brokers' log level: trace, debug, info, warn, error or off. */
    public static final String LEVEL_PROPERTY = "breakwater.broker.log.level";

    /** The system property that names a directory for the output of forked brokers. */
    public static final String DIRECTORY_PROPERTY = "breakwater.broker.log.dir";

    private static final List<String> BROKER_LOGGERS = List.of("kafka", "org.apache.kafka", "state.change.logger",
            "org.apache.kafka.clients", "org.apache.kafka.common", "org.apache.kafka.raft", "org.apache.kafka.server",
            "org.apache.kafka.controller", "org.apache.kafka.metadata", "org.apache.kafka.storage", "org.apache.kafka.image",
            "org.apache.kafka.coordinator");

    private BrokerLogging() {
    }

    /** Sets the broker loggers' level unless each is already set. Idempotent. */
    public static void apply() {
        String level = System.getProperty(LEVEL_PROPERTY, "warn");
        for (String logger : BROKER_LOGGERS) {
            setIfAbsent(logger, level);
        }
        // Several brokers in one JVM register the same JMX names; the reporter warns about each one.
        setIfAbsent("com.yammer.metrics", System.getProperty(LEVEL_PROPERTY, "error"));
    }

    private static void setIfAbsent(String logger, String level) {
        String key = "org.slf4j.simpleLogger.log." + logger;
        if (System.getProperty(key) == null) {
            System.setProperty(key, level);
        }
    }

    /** Where a forked broker writes its output, if not into its own temporary directory. */
    static Optional<Path> directory() {
        String dir = System.getProperty(DIRECTORY_PROPERTY);
        if (dir == null || dir.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.createDirectories(Path.of(dir)));
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + DIRECTORY_PROPERTY + "=" + dir, e);
        }
    }

    /** The JVM options that give a forked broker the same levels. */
    static List<String> jvmOptions() {
        return List.of("-D" + LEVEL_PROPERTY + "=" + System.getProperty(LEVEL_PROPERTY, "warn"));
    }
}
