package io.breakwater.spring.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Permit;
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
 * Mode OBSERVE: the breaker decides every send as it would in front of an enforcing guard, but no send is ever
 * refused. Each send asks for a permit: a send that gets one (every send while CLOSED; in HALF_OPEN, the trials;
 * in OPEN, the first after the reset timeout, which moves the breaker to HALF_OPEN) reports its outcome with it, so
 * that an observed breaker opens, tries, closes and re-opens on real traffic. A send the breaker refuses (counted
 * as rejected: what an enforcing guard would have refused) goes to Kafka all the same, and its outcome is not
 * recorded, since an enforcing guard would never have made it. The caller's callback runs whatever the recording
 * does. Thread-safe as the delegate is.
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
        Permit permit = permit();
        if (permit == null) {
            return delegate().send(record, callback);
        }
        long start = System.nanoTime();
        try {
            return delegate().send(record, (metadata, exception) -> {
                record(permit, exception, System.nanoTime() - start);
                if (callback != null) {
                    callback.onCompletion(metadata, exception);
                }
            });
        } catch (RuntimeException e) {
            record(permit, e, System.nanoTime() - start);
            throw e;
        } catch (Error e) {
            // Says nothing about the cluster: a trial permit is given back rather than left to expire.
            try {
                breaker.recordIgnored(permit);
            } catch (RuntimeException recording) {
                e.addSuppressed(recording);
            }
            throw e;
        }
    }

    /** A permit, or null when the breaker refuses (or cannot be asked): the send goes ahead either way. */
    private Permit permit() {
        try {
            return breaker.tryAcquirePermit();
        } catch (RuntimeException e) {
            LOG.warn("Breaker '{}' could not be asked for a permit; the send goes ahead unrecorded", breaker.name(), e);
            return null;
        }
    }

    /** Reports one outcome with its permit, as the guard's classifier judges it. */
    private void record(Permit permit, Exception failure, long nanos) {
        try {
            if (failure == null) {
                breaker.recordSuccess(permit, nanos);
            } else if (classifier.countsAsFailure(failure)) {
                breaker.recordFailure(permit, failure, nanos);
            } else {
                breaker.recordIgnored(permit);
            }
        } catch (RuntimeException e) {
            LOG.warn("Breaker '{}' could not record a send's outcome", breaker.name(), e);
        }
    }
}
