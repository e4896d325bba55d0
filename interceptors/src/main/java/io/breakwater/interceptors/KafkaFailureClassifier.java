package io.breakwater.interceptors;

import io.breakwater.breaker.Throwables;
import java.util.List;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * The default {@link FailureClassifier}. These do not count (caller errors and the caller's own state):
 * {@code SerializationException}, {@code RecordTooLargeException}, {@code RecordBatchTooLargeException},
 * {@code InvalidRecordException}, {@code InvalidTopicException}, {@code InvalidConfigurationException},
 * {@code UnsupportedVersionException}, authorization and authentication errors,
 * {@code ProducerFencedException}, {@code InterruptException}, {@code InterruptedException},
 * {@code IllegalStateException} (a closed producer), {@code IllegalArgumentException} and
 * {@code NullPointerException} (bad arguments), {@code TransactionAbortedException} (the caller aborted), {@link SendQueueFullException} (the caller's own
 * load), and
 * the failures of records cut short by the producer's own close ({@code KafkaException} "Producer is closed
 * forcefully." after {@code close(Duration.ZERO)}, "Producer closed while send in progress"), and the sends of a
 * transaction that an earlier error left to be aborted, or of a producer an earlier error left unusable ({@code
 * KafkaException} "Cannot execute transactional method because we are in an error state": that error was judged when
 * it happened). Everything else counts, in particular
 * {@code TimeoutException}, {@code NetworkException}, {@code NotEnoughReplicasException},
 * {@code NotEnoughReplicasAfterAppendException}, {@code NotLeaderOrFollowerException},
 * {@code DisconnectException} and {@code BufferExhaustedException}: an unknown failure is presumed to be
 * the cluster's. Wrappers ({@code ExecutionException}, {@code CompletionException}) are looked through.
 */
public final class KafkaFailureClassifier implements FailureClassifier {

    static final KafkaFailureClassifier INSTANCE = new KafkaFailureClassifier();

    private static final List<Class<? extends Throwable>> CALLER_ERRORS = List.of(
            SerializationException.class,
            RecordTooLargeException.class,
            RecordBatchTooLargeException.class,
            InvalidRecordException.class,
            InvalidTopicException.class,
            InvalidConfigurationException.class,
            UnsupportedVersionException.class,
            AuthorizationException.class,
            AuthenticationException.class,
            ProducerFencedException.class,
            InterruptException.class,
            InterruptedException.class,
            IllegalStateException.class,
            IllegalArgumentException.class,
            NullPointerException.class,
            TransactionAbortedException.class,
            SendQueueFullException.class);

    // Kafka's own words for records failed by the producer's close: the caller's shutdown, not the cluster's.
    private static final List<String> CLOSE_MESSAGES = List.of("Producer is closed forcefully.",
            "Producer closed while send in progress", io.breakwater.interceptors.internal.SendQueue.CLOSED_BEFORE_SENT);

    // Kafka's words for each send of a transaction an earlier error doomed (it must be aborted): the caller's state.
    private static final String TRANSACTION_IN_ERROR = "Cannot execute transactional method because we are in an error state";

    private KafkaFailureClassifier() {
    }

    @Override
    public boolean countsAsFailure(Throwable failure) {
        Throwable t = Throwables.unwrap(failure);
        if (t.getClass() == KafkaException.class
                && (CLOSE_MESSAGES.contains(t.getMessage()) || TRANSACTION_IN_ERROR.equals(t.getMessage()))) {
            return false;
        }
        return !Throwables.isAny(t, CALLER_ERRORS);
    }

    @Override
    public String toString() {
        return "KafkaFailureClassifier";
    }
}
