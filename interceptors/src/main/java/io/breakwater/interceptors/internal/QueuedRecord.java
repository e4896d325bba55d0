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

    // The record (a ProducerRecord, or a DeferredRecord that makes it), the caller's callback and the gate: let go once
    // the record is settled, as the caller may hold its future long after (a list of futures must not keep every
    // record's value).
    private Object record;
    private Callback user;
    private Supplier<? extends RuntimeException> gate;
    // Whether the outcome was taken; set once, by compare-and-set (DONE: one field, not an object per record).
    private volatile boolean done;
    // The outcome, written before settled.
    private RecordMetadata metadata;
    private Exception exception;
    // Set once the callback ran and the outcome is written: from then on the future completes, made or not.
    private volatile boolean settled;
    // The future's completion, made by the first look at the future (set once, by compare-and-set).
    private volatile CompletableFuture<RecordMetadata> future;
    // Whether the breaker refused it (answered synchronously, on the sender thread).
    volatile boolean refused;

    QueuedRecord(ProducerRecord<K, V> record, Callback user, Supplier<? extends RuntimeException> gate) {
        this.record = record;
        this.user = user;
        this.gate = gate;
    }

    /** A record made only as it leaves the queue: {@code deferred} is its gate too. */
    QueuedRecord(DeferredRecord<K, V> deferred, Callback user) {
        this.record = deferred;
        this.user = user;
    }

    /**
     * The sender's, as the record leaves the queue: null when its gate lets it go (or it has none), else the exception that
     * fails it instead. Read before the hand-over: the record lets go of it once settled.
     */
    RuntimeException veto() {
        Object r = record;
        if (r instanceof DeferredRecord<?, ?> deferred) {
            return deferred.veto();
        }
        Supplier<? extends RuntimeException> g = gate;
        return g == null ? null : g.get();
    }

    /** The sender's, once {@link #veto()} let the record go: the record to hand over, made now when it is deferred. */
    @SuppressWarnings("unchecked")
    ProducerRecord<K, V> outgoing() {
        Object r = record;
        return r instanceof DeferredRecord<?, ?> deferred ? (ProducerRecord<K, V>) deferred.make() : (ProducerRecord<K, V>) r;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
        if (!DONE.compareAndSet(this, false, true)) {
            return;
        }
        refused = exception instanceof io.breakwater.breaker.CircuitBreakerOpenException;
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

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return future().cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean isCancelled() {
        return future().isCancelled();
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

    /** Completes the record with {@code e}, and metadata naming its topic and partition (when it had one). */
    void fail(Exception e) {
        Object r = record;
        if (r == null) {
            return; // settled already
        }
        onCompletion(r instanceof ProducerRecord<?, ?> made ? Refusals.failed(made.topic(), made.partition())
                : Refusals.failed(((DeferredRecord<?, ?>) r).topic(), null), e);
    }
}
