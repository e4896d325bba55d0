package io.breakwater.eventbus.internal;

import io.breakwater.interceptors.FailureClassifier;
import io.breakwater.breaker.Throwables;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A channel breaker counts whatever says its stream is not available now: its topic's leaders, replicas and
 * timeouts. It does not count the caller's errors, which reach the caller at once and which no wait would
 * mend: an event that could not be encoded or is too large, missing rights to the topic
 * ({@code TopicAuthorizationException}: a stream without rights is a configuration error of that stream, not
 * an outage), and credentials the cluster refuses ({@code SaslAuthenticationException}); nor a full send queue
 * of the transport (its load, not the stream's health).
 */
public final class ChannelClassifier implements FailureClassifier {

    public static final ChannelClassifier INSTANCE = new ChannelClassifier();

    private static final List<Class<? extends Throwable>> CALLER_ERRORS = List.of(SerializationException.class,
            RecordTooLargeException.class, RecordBatchTooLargeException.class, InvalidRecordException.class,
            AuthorizationException.class, AuthenticationException.class,
            io.breakwater.interceptors.SendQueueFullException.class);

    private ChannelClassifier() {
    }

    @Override
    public boolean countsAsFailure(Throwable failure) {
        return !Throwables.isAny(failure, CALLER_ERRORS);
    }
}
