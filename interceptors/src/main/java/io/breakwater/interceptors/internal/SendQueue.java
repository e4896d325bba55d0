package io.breakwater.interceptors.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Subscription;
import io.breakwater.interceptors.SendQueueFullException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The non-blocking front of a guarded producer: callers enqueue and return at once; one sender thread hands
 * the records to the guarded send in the callers' order, and is the only thread that can block in Kafka's
 * {@code send()}. The queue is bounded: a caller that finds it full gets a {@link SendQueueFullException} at
 * once, through the future and the callback. When the breaker starts refusing, the records still queued are
 * failed with its {@code CircuitBreakerOpenException} and never sent.
 *
 * <p>Every queued record is completed exactly once, whoever takes it from the queue: the sender (through
 * the guarded send and its callback), the drain when the breaker opens, or {@link #close(Duration)}.
 */
public final class SendQueue<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(SendQueue.class);
    private static final java.lang.invoke.VarHandle DONE;
    static {
        try {
            DONE = java.lang.invoke.MethodHandles.lookup().findVarHandle(Entry.class, "done", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** The message of the {@code KafkaException} of a record still queued when the producer closed. */
    public static final String CLOSED_BEFORE_SENT = "The producer was closed before this record was sent";

    /** The guarded send that the sender thread calls for each record: blocking, it answers through the callback. */
    public interface GuardedSend<K, V> {
        void send(ProducerRecord<K, V> record, Callback callback);
    }

    /** One queued record: the caller's callback and future, completed together once (a held future holds no record). */
    private static final class Entry<K, V> implements Callback {
        final ProducerRecord<K, V> record;
        final Callback user;
        final Supplier<? extends RuntimeException> gate;
        final CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        // Whether it was completed; set once, by compare-and-set (DONE: one field, not an object per record).
        private volatile boolean done;
        // Whether the breaker refused it (answered synchronously, on the sender thread).
        volatile boolean refused;

        Entry(ProducerRecord<K, V> record, Callback user, Supplier<? extends RuntimeException> gate) {
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

        void fail(Exception e) {
            TopicPartition tp = new TopicPartition(record.topic(),
                    record.partition() == null ? RecordMetadata.UNKNOWN_PARTITION : record.partition());
            onCompletion(new RecordMetadata(tp, -1, -1, -1L, -1, -1), e);
        }
    }

    private static final String DRAIN_THREAD = "breakwater-send-queue-drain";
    // One thread for the whole JVM that fails queued records when a breaker opens, off the thread that opened it.
    private static final java.util.concurrent.Executor DRAINS = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, DRAIN_THREAD);
        t.setDaemon(true);
        return t;
    });

    private final CircuitBreaker breaker;
    private final GuardedSend<K, V> guarded;
    private final int capacity;
    private final BlockingQueue<Entry<K, V>> queue;
    private final Thread sender;
    private final Subscription drainOnOpen;
    // Records ever queued, and records taken from the queue (sent, refused or failed).
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong taken = new AtomicLong();
    // Flushes waiting on this monitor for taken to reach their target; they are notified only when there are some.
    private final Object progress = new Object();
    private final AtomicInteger flushing = new AtomicInteger();
    private volatile boolean closing;

    public SendQueue(String name, CircuitBreaker breaker, int capacity, GuardedSend<K, V> guarded) {
        this.breaker = Objects.requireNonNull(breaker, "breaker");
        this.guarded = Objects.requireNonNull(guarded, "guarded");
        if (capacity < 1) {
            throw new IllegalArgumentException("the send queue's capacity must be >= 1, but was " + capacity);
        }
        this.capacity = capacity;
        this.queue = new LinkedBlockingQueue<>(capacity);
        // Transitions happen on any thread (the watchdog's, Kafka's network thread): the callers' callbacks run
        // on the drain thread instead.
        this.drainOnOpen = breaker.onTransition(t -> {
            if (t.to().rejectsCalls()) {
                DRAINS.execute(() -> drain(null));
            }
        });
        this.sender = new Thread(this::run, "breakwater-sender-" + name);
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * Queues {@code record}; never blocks. Refused at once (future and callback) when the breaker refuses
     * now or the queue is full. {@code gate} (may be null) runs on the sender thread just before the record
     * is handed over: an exception it returns fails the record instead.
     * @throws IllegalStateException after {@link #close(Duration)} began
     */
    public Future<RecordMetadata> enqueue(ProducerRecord<K, V> record, Callback callback, Supplier<? extends RuntimeException> gate) {
        if (closing) {
            throw new IllegalStateException("Cannot send after the producer is closed (" + breaker.name() + ")");
        }
        RuntimeException refused = breaker.refusalNow();   // counted, as a refused permit is
        if (refused != null) {
            return Refusals.refuse(refused, record, callback);
        }
        Entry<K, V> entry = new Entry<>(record, callback, gate);
        queued.incrementAndGet();
        if (!queue.offer(entry)) {
            taken(1);
            entry.fail(new SendQueueFullException(breaker.name(), capacity));
            return entry.future;
        }
        if (closing && queue.remove(entry)) {
            // Closed between the check and the offer, maybe after close's last drain: this record is not left behind.
            taken(1);
            entry.fail(new KafkaException(CLOSED_BEFORE_SENT));
        } else if (breaker.state().rejectsCalls() && queue.remove(entry)) {
            // Opened between the check and the offer, maybe after its drain ran.
            taken(1);
            entry.fail(breaker.openException());
        }
        return entry.future;
    }

    /** Records queued and not yet handed to the producer. */
    public int size() {
        return queue.size();
    }

    private void run() {
        for (;;) {
            Entry<K, V> entry;
            try {
                entry = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (closing) {
                    return;
                }
                continue;
            }
            if (entry == null) {
                if (closing) {
                    return;
                }
                continue;
            }
            RuntimeException veto = null;
            try {
                veto = entry.gate == null ? null : entry.gate.get();
                if (veto == null) {
                    guarded.send(entry.record, entry);
                }
            } catch (Throwable e) {
                // What send() would have thrown (serialization, record too large, ...) reaches the caller here.
                // Even an Error: the thread carries on, or every record behind it would wait forever.
                if (e instanceof Error) {
                    LOG.error("Sending a record of '{}' threw an Error; failing the record and carrying on", breaker.name(), e);
                }
                veto = e instanceof RuntimeException re ? re : new KafkaException(e);
            }
            taken(1);
            try {
                if (veto != null) {
                    entry.fail(veto);
                } else if (entry.refused) {
                    // Refused: nothing queued behind it may get ahead of it, so the rest is refused too.
                    drain(null);
                }
            } catch (Throwable e) {
                LOG.warn("Failing a record of '{}' threw", breaker.name(), e);
            }
        }
    }

    /** Fails every record still queued: with the breaker's refusal, or with {@code failure} when given. */
    private void drain(Exception failure) {
        Entry<K, V> entry;
        while ((entry = queue.poll()) != null) {
            taken(1);
            try {
                entry.fail(failure != null ? failure : breaker.openException());
            } catch (Throwable e) {
                LOG.warn("Failing a queued record of '{}' threw", breaker.name(), e);
            }
        }
    }

    private void taken(int n) {
        taken.addAndGet(n);
        if (flushing.get() > 0) {
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    /**
     * Waits until every record queued before the call has been handed to the producer (or failed).
     *
     * @throws InterruptException (Kafka's, as its {@code flush} throws) when interrupted; the thread stays interrupted
     */
    public void awaitHandedOver() {
        if (Thread.currentThread() == sender || Thread.currentThread().getName().equals(DRAIN_THREAD)) {
            return; // a callback flushing from the thread that hands records over: waiting would never end
        }
        long target = queued.get();
        flushing.incrementAndGet();
        try {
            synchronized (progress) {
                while (taken.get() < target) {
                    progress.wait();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        } finally {
            flushing.decrementAndGet();
        }
    }

    /**
     * Stops taking records: the sender hands over what is queued for up to {@code timeout}; records still
     * queued then fail with a {@code KafkaException}. Returns the time left of {@code timeout}.
     */
    public Duration close(Duration timeout) {
        long deadline = System.nanoTime() + io.breakwater.breaker.Timeouts.deadlineNanos(timeout);
        closing = true;
        drainOnOpen.close();
        try {
            sender.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drain(new KafkaException(CLOSED_BEFORE_SENT));
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** After the producer itself is closed: waits briefly for a sender still blocked in it to return. */
    public void awaitSender(Duration timeout) {
        sender.interrupt();
        try {
            sender.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender.isAlive()) {
            LOG.warn("The sender thread of '{}' is still blocked in send() after close", breaker.name());
        }
    }
}
