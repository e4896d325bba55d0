package io.breakwater.interceptors.internal;

import io.breakwater.interceptors.DeferredRecord;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One record in a {@link SendQueue}, and the future its caller gets: the callback, then the future, completed once, by
 * whoever takes the record. The future's {@code CompletableFuture} is made only when the caller first waits on it or asks
 * about it (a caller that listens through its callback alone, as the EventBus does, costs none), from the outcome kept
 * here.
 */
final class QueuedRecord<K, V> implements Callback, Future<RecordMetadata> {

    private static final Logger LOG = LoggerFactory.getLogger(SendQueue.class);
    private static final VarHandle DONE;
    private static final VarHandle FUTURE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            DONE = lookup.findVarHandle(QueuedRecord.class, "done", boolean.class);
            FUTURE = lookup.findVarHandle(QueuedRecord.class, "future", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // The record, the caller's callback and the gate: let go once the record is settled, as the caller may hold its
    // future long after (a list of futures must not keep every record's value).
    ProducerRecord<K, V> record;
    private Callback user;
    Supplier<? extends RuntimeException> gate;
    // Whether the outcome was taken; set once, by compare-and-set (DONE: one field, not an object per record).
    private volatile boolean done;
    // The outcome, written before settled.
    private RecordMetadata metadata;
    private Exception exception;
    // Set once the callback ran and the outcome is written: from then on the future completes, made or not.
    private volatile boolean settled;
    // The future's completion, made by the first look at the future (set once, by compare-and-set).
    private volatile CompletableFuture<RecordMetadata> future;

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
        Callback callback = user;
        record = null;
        user = null;
        gate = null;
        try {
            if (callback != null) {
                callback.onCompletion(metadata, exception);
            }
        } catch (Throwable e) {
            LOG.warn("A send callback threw; the record's future completes anyway", e);
        } finally {
            this.metadata = metadata;
            this.exception = exception;
            settled = true;
            // Written, then read, as future() writes, then reads: one of the two completes a future made meanwhile.
            CompletableFuture<RecordMetadata> made = future;
            if (made != null) {
                complete(made);
            }
        }
    }

    private void complete(CompletableFuture<RecordMetadata> f) {
        if (exception == null) {
            f.complete(metadata);
        } else {
            f.completeExceptionally(exception);
        }
    }

    /** The future's completion: made on the first call, and completed at once when the record is settled. */
    private CompletableFuture<RecordMetadata> future() {
        CompletableFuture<RecordMetadata> f = future;
        if (f == null) {
            CompletableFuture<RecordMetadata> fresh = new CompletableFuture<>();
            f = FUTURE.compareAndSet(this, null, fresh) ? fresh : future;
        }
        if (settled) {
            complete(f);
        }
        return f;
    }

    /**
     * False, as Kafka's own future answers: a record handed to a producer cannot be called back, so the future is never
     * cancelled (the record goes, and its answer comes, as if this had not been called).
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return false;
    }

    @Override
    public boolean isCancelled() {
        return false;
    }

    @Override
    public boolean isDone() {
        return future().isDone();
    }

    @Override
    public RecordMetadata get() throws InterruptedException, ExecutionException {
        return future().get();
    }

    @Override
    public RecordMetadata get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return future().get(timeout, unit);
    }

    /** Fails {@code entry} (a QueuedRecord, or a DeferredRecord queued as it is) with {@code e}, unless settled already. */
    static void fail(Callback entry, Exception e) {
        if (entry instanceof DeferredRecord<?, ?> deferred) {
            DeferredRecords.failed(deferred, e);
        } else {
            ((QueuedRecord<?, ?>) entry).fail(e);
        }
    }

    /**
     * Fails {@code entry} as {@link #fail(Callback, Exception)} does; what its callback (or a DeferredRecord's
     * onCompletion) throws is logged, naming the breaker {@code name}, not thrown.
     */
    static void failLogged(Callback entry, Exception e, String name) {
        try {
            fail(entry, e);
        } catch (Throwable t) {
            LOG.warn("Failing a record of '{}' threw", name, t);
        }
    }

    /** Completes the record with {@code e}, and metadata naming its topic and partition (when it had one). */
    void fail(Exception e) {
        ProducerRecord<K, V> r = record;
        if (r == null) {
            return; // settled already
        }
        onCompletion(Refusals.failed(r.topic(), r.partition()), e);
    }
}
