package io.breakwater.interceptors.internal;

import io.breakwater.interceptors.KafkaClientVersion;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * The methods of Kafka's {@code Producer} that differ between kafka-clients 3.7 and 4.4, and whether a
 * delegate has them: {@code sendOffsetsToTransaction(Map, String)} (up to 3.9), the metric subscription
 * methods (from 4.0), and {@code clientInstanceId} (from 3.7; a producer built against an older release
 * lacks it). Breakwater compiles against 4.4 and runs on all of them.
 *
 * <p>Thread-safe: immutable after class initialization.
 */
public final class ProducerMethods {

    /** Kafka's {@code Producer.sendOffsetsToTransaction(Map, String)}; null on kafka-clients 4.0 and later. */
    private static final MethodHandle SEND_OFFSETS_BY_GROUP_ID = find("sendOffsetsToTransaction",
            MethodType.methodType(void.class, Map.class, String.class));

    private ProducerMethods() {
    }

    private static MethodHandle find(String name, MethodType type) {
        try {
            return MethodHandles.publicLookup().findVirtual(Producer.class, name, type);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    /**
     * True when {@code delegate}'s class has a body for {@code name(parameterTypes)}: false when the running
     * kafka-clients has no such method, or when the delegate was built against a release that had none.
     */
    public static boolean implemented(Producer<?, ?> delegate, String name, Class<?>... parameterTypes) {
        try {
            Method method = delegate.getClass().getMethod(name, parameterTypes);
            return !Modifier.isAbstract(method.getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** Kafka 3.x's {@code sendOffsetsToTransaction(offsets, consumerGroupId)}, handed to {@code delegate}. */
    public static void sendOffsetsToTransaction(Producer<?, ?> delegate, Map<TopicPartition, OffsetAndMetadata> offsets,
                                                String consumerGroupId) {
        String method = "sendOffsetsToTransaction(Map, String)";
        if (SEND_OFFSETS_BY_GROUP_ID == null) {
            throw new UnsupportedOperationException(method + " is not part of kafka-clients " + KafkaClientVersion.current()
                    + " (Kafka removed it in 4.0): use sendOffsetsToTransaction(Map, ConsumerGroupMetadata)");
        }
        if (!implemented(delegate, "sendOffsetsToTransaction", Map.class, String.class)) {
            throw notImplemented(delegate, method);
        }
        try {
            SEND_OFFSETS_BY_GROUP_ID.invoke(delegate, offsets, consumerGroupId);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) { // the method declares no checked exception; nothing else can arrive here
            throw new KafkaException(e);
        }
    }

    /** The error for a method the running kafka-clients declares and {@code delegate}'s class lacks. */
    public static UnsupportedOperationException notImplemented(Producer<?, ?> delegate, String method) {
        return new UnsupportedOperationException(method + " is not implemented by " + delegate.getClass().getName()
                + ", which was built against an older kafka-clients than the " + KafkaClientVersion.current() + " in use");
    }
}
