package io.breakwater.consumer.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.consumer.BatchHandler;
import io.breakwater.consumer.FailedRecordHandler;
import io.breakwater.consumer.RecordHandler;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;

/**
 * Everything a loop is built from, checked by the public builder. Exactly one of {@code topics} and
 * {@code topicPattern}, and one of {@code recordHandler} and {@code batchHandler}, is set; {@code rebalanceListener}
 * may be null. {@code roundBudget} is how long one round may hand records to the handler (half of
 * {@code max.poll.interval.ms}), so that the next poll comes in time.
 */
public record LoopSettings<K, V>(
        String name,
        Consumer<K, V> consumer,
        CircuitBreaker breaker,
        List<String> topics,
        Pattern topicPattern,
        RecordHandler<K, V> recordHandler,
        BatchHandler<K, V> batchHandler,
        FailedRecordHandler<K, V> failedRecordHandler,
        boolean recordOutcomes,
        Predicate<Throwable> countsAsFailure,
        int maxAttempts,
        Duration pollTimeout,
        Duration handlerBlockThreshold,
        Duration commitTimeout,
        Duration retryBackoff,
        ConsumerRebalanceListener rebalanceListener,
        Duration roundBudget) {
}
