package io.breakwater.eventbus.internal;

import io.breakwater.breaker.Throwables;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Which failed publishes go to the spill: a refusal of a breaker, and every failure that says the cluster or
 * the stream is not available now (timeouts, lost connections, no leader, a full send queue). Not the
 * caller's own errors, which a later replay would only repeat: an event that cannot be encoded or is too
 * large, a topic name Kafka refuses, missing rights, failed authentication; nor bad arguments or a closed bus.
 */
public final class Spillable {

    private static final List<Class<? extends Throwable>> CALLER_ERRORS = List.of(SerializationException.class,
            RecordTooLargeException.class, RecordBatchTooLargeException.class, InvalidRecordException.class,
            InvalidTopicException.class, AuthorizationException.class, AuthenticationException.class,
            IllegalArgumentException.class, IllegalStateException.class, NullPointerException.class);

    private Spillable() {
    }

    // Failures no later attempt can mend: the event itself is wrong for Kafka.
    private static final List<Class<? extends Throwable>> NEVER_SENDABLE = List.of(SerializationException.class,
            RecordTooLargeException.class, RecordBatchTooLargeException.class, InvalidRecordException.class,
            InvalidTopicException.class);

    public static boolean test(Throwable failure) {
        return !Throwables.isAny(Throwables.unwrap(failure), CALLER_ERRORS);
    }

    /**
     * Whether a spilled event that failed so can never be sent, however often it is replayed: too large, an
     * invalid record or topic. Not missing rights (an operator may grant them) nor a closed bus.
     */
    public static boolean neverSendable(Throwable failure) {
        return Throwables.isAny(Throwables.unwrap(failure), NEVER_SENDABLE);
    }
}
