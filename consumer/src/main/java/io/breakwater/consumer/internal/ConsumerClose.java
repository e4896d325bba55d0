package io.breakwater.consumer.internal;

import java.lang.reflect.Modifier;
import java.time.Duration;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * Closes a Kafka consumer within a bound on every kafka-clients from 3.7 to 4.4: {@code close(CloseOptions)} where
 * the consumer has it (kafka-clients 4.1 and later), else {@code close(Duration)}, which 4.1 deprecated. A consumer
 * class built against a release before 4.1 has no {@code close(CloseOptions)} even on a newer kafka-clients.
 * Thread-safe: immutable after class initialization.
 */
final class ConsumerClose {

    /** {@code org.apache.kafka.clients.consumer.CloseOptions}, or null on kafka-clients before 4.1. */
    private static final Class<?> CLOSE_OPTIONS = find("org.apache.kafka.clients.consumer.CloseOptions");

    private ConsumerClose() {
    }

    private static Class<?> find(String name) {
        try {
            return Class.forName(name, false, Consumer.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    static void close(Consumer<?, ?> consumer, Duration timeout) {
        if (hasCloseOptions(consumer)) {
            consumer.close(CloseOptions.timeout(timeout));
        } else {
            closeBefore41(consumer, timeout);
        }
    }

    private static boolean hasCloseOptions(Consumer<?, ?> consumer) {
        if (CLOSE_OPTIONS == null) {
            return false;
        }
        try {
            return !Modifier.isAbstract(consumer.getClass().getMethod("close", CLOSE_OPTIONS).getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    @SuppressWarnings("deprecation")
    private static void closeBefore41(Consumer<?, ?> consumer, Duration timeout) {
        consumer.close(timeout);
    }
}
