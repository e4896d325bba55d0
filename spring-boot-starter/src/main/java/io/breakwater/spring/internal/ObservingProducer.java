package io.breakwater.spring.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.interceptors.FailureClassifier;
import io.breakwater.interceptors.ForwardingProducer;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mode OBSERVE: every send's outcome goes to the breaker, but no send is ever refused, whatever the breaker's
 * state. The caller's callback runs whatever the recording does. Thread-safe as the delegate is.
 */
final class ObservingProducer<K, V> extends ForwardingProducer<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(ObservingProducer.class);

    private final CircuitBreaker breaker;
    private final FailureClassifier classifier = FailureClassifier.kafkaDefault();

    ObservingProducer(Producer<K, V> delegate, CircuitBreaker breaker) {
        super(delegate);
        this.breaker = breaker;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record) {
        return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
        long start = System.nanoTime();
        try {
            return delegate().send(record, (metadata, exception) -> {
                record(exception, System.nanoTime() - start);
                if (callback != null) {
                    callback.onCompletion(metadata, exception);
                }
            });
        } catch (RuntimeException e) {
            record(e, System.nanoTime() - start);
            throw e;
        }
    }

    private void record(Exception failure, long nanos) {
        try {
            if (failure == null) {
                breaker.recordSuccess(nanos);
            } else if (classifier.countsAsFailure(failure)) {
                breaker.recordFailure(failure, nanos);
            } else {
                breaker.recordIgnored();
            }
        } catch (RuntimeException e) {
            LOG.warn("Breaker '{}' could not record a send's outcome", breaker.name(), e);
        }
    }
}
