package io.breakwater.interceptors.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One record in a {@link SendQueue}: the caller's callback and future, completed together once, by whoever takes the
 * record (a held future holds no record).
 */
final class QueuedRecord<K, V> implements Callback {

    private static final Logger LOG = LoggerFactory.getLogger(SendQueue.class);
    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(QueuedRecord.class, "done", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ProducerRecord<K, V> record;
    final Callback user;
    final Supplier<? extends RuntimeException> gate;
    final CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
    // Whether it was completed; set once, by compare-and-set (DONE: one field, not an object per record).
    private volatile boolean done;
    // Whether the breaker refused it (answered synchronously, on the sender thread).
    volatile boolean refused;

    QueuedRecord(ProducerRecord<K, V> record, Callback user, Supplier<? extends RuntimeException> gate) {
        this.record = record;
        this.user = user;
        this.gate = gate;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
        if (!DONE.compareAndSet(this, false, true)) {
            return;
        }
        refused = exception instanceof io.breakwater.breaker.CircuitBreakerOpenException;
        try {
            if (user != null) {
                user.onCompletion(metadata, exception);
            }
        } catch (Throwable e) {
            LOG.warn("A send callback threw; the record's future completes anyway", e);
        } finally {
            if (exception == null) {
                future.complete(metadata);
            } else {
                future.completeExceptionally(exception);
            }
        }
    }

    /** Completes the record with {@code e}, and metadata naming its topic and partition (when it had one). */
    void fail(Exception e) {
        TopicPartition tp = new TopicPartition(record.topic(),
                record.partition() == null ? RecordMetadata.UNKNOWN_PARTITION : record.partition());
        onCompletion(new RecordMetadata(tp, -1, -1, -1L, -1, -1), e);
    }
}
