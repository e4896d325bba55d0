package io.breakwater.consumer.internal;

import io.breakwater.breaker.Throwables;
import io.breakwater.consumer.FailedRecordHandler;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The default failed-record handler: the record's coordinates and its failure at WARN, never its key or value. */
public final class LoggedFailures implements FailedRecordHandler<Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(FailedRecordHandler.class);
    private static final LoggedFailures INSTANCE = new LoggedFailures();

    private LoggedFailures() {
    }

    @SuppressWarnings("unchecked")
    public static <K, V> FailedRecordHandler<K, V> instance() {
        return (FailedRecordHandler<K, V>) (FailedRecordHandler<?, ?>) INSTANCE;
    }

    @Override
    public void handle(ConsumerRecord<Object, Object> record, Throwable failure) {
        LOG.warn("Record {}-{}@{} could not be handled and is passed over: {}", record.topic(), record.partition(),
                record.offset(), Throwables.describe(failure));
    }

    @Override
    public String toString() {
        return "FailedRecordHandler.logging()";
    }
}
