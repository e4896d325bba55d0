package io.breakwater.eventbus.internal;

import io.breakwater.interceptors.FailureClassifier;
import io.breakwater.breaker.Throwables;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A channel breaker counts whatever is wrong with its stream, its topic's rights and leaders included;
 * only errors of one event (it could not be encoded, or is too large) and a full send queue of the
 * transport (its load, not the stream's health) do not count.
 */
public final class ChannelClassifier implements FailureClassifier {

    public static final ChannelClassifier INSTANCE = new ChannelClassifier();

    private static final List<Class<? extends Throwable>> EVENT_ERRORS = List.of(SerializationException.class,
            RecordTooLargeException.class, RecordBatchTooLargeException.class, InvalidRecordException.class,
            io.breakwater.interceptors.SendQueueFullException.class);

    private ChannelClassifier() {
    }

    @Override
    public boolean countsAsFailure(Throwable failure) {
        return !Throwables.isAny(failure, EVENT_ERRORS);
    }
}
