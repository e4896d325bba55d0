package io.breakwater.interceptors.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Subscription;
import io.breakwater.interceptors.DeferredRecord;
import io.breakwater.interceptors.SendQueueFullException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
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
 *
 * <p>A caller takes no lock and wakes the sender only when the sender said it sleeps ({@link HandOff}).
 */
public final class SendQueue<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(SendQueue.class);
    /** The message of the {@code KafkaException} of a record still queued when the producer closed. */
    public static final String CLOSED_BEFORE_SENT = "The producer was closed before this record was sent";

    /** The sender's guarded send: blocking, it answers through the callback ({@link Refusals#refuse}'s future: refused). */
    public interface GuardedSend<K, V> {
        Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback);
    }

    // Where queued and taken are in counts: 16 longs (128 bytes) apart, and from either end.
    private static final int QUEUED = 16;
    private static final int TAKEN = 32;

    /** How long an idle sender sleeps at most before it looks again. */
    static final Duration IDLE_WAIT = Duration.ofMillis(100);

    private final CircuitBreaker breaker;
    private final GuardedSend<K, V> guarded;
    private final int capacity;
    private final Thread sender;
    // Entries: a QueuedRecord, or a DeferredRecord, queued as it is (each completed through its onCompletion).
    private final HandOff<Callback> queue;
    private final Subscription drainOnOpen;
    // Records ever queued (by callers), and records taken from the queue (sent, refused or failed; by the sender, mostly):
    // two counters of one array, each 128 bytes from the other, from the array's header (which every access reads for
    // its bounds check) and from the array's end. As two AtomicLongs made one after the other they share a cache line,
    // and every record would take it from the sender (its count of taken) and give it back to a caller (its count of
    // queued).
    private final AtomicLongArray counts = new AtomicLongArray(TAKEN + 16);
    // Flushes waiting on this monitor for taken to reach their target; they are notified only when there are some.
    private final Object progress = new Object();
    private final AtomicInteger flushing = new AtomicInteger();
    private volatile boolean closing;
    // Whether the breaker refused the record just handed over; the sender thread's.
    private boolean refused;

    public SendQueue(String name, CircuitBreaker breaker, int capacity, GuardedSend<K, V> guarded) {
        this(name, breaker, capacity, guarded, IDLE_WAIT);
    }

    /** With an idle sender's longest sleep (tests: a long one makes a missed wake-up hang). */
    SendQueue(String name, CircuitBreaker breaker, int capacity, GuardedSend<K, V> guarded, Duration idleWait) {
        this.breaker = Objects.requireNonNull(breaker, "breaker");
        this.guarded = Objects.requireNonNull(guarded, "guarded");
        if (capacity < 1) {
            throw new IllegalArgumentException("the send queue's capacity must be >= 1, but was " + capacity);
        }
        this.capacity = capacity;
        this.sender = new Thread(this::run, "breakwater-sender-" + name);
        this.queue = new HandOff<>(capacity, idleWait, sender);
        // Transitions happen on any thread (the watchdog's, Kafka's network thread): the callers' callbacks run on the
        // drain thread instead, later, so it drains only while the breaker still refuses (it may have been reset since).
        this.drainOnOpen = breaker.onTransition(t -> {
            if (t.to().rejectsCalls()) {
                QueueDrains.EXECUTOR.execute(() -> drain(null, true));
            }
        });
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
        RuntimeException refused = refusal();
        return refused != null ? Refusals.refuse(refused, record, callback) : enqueue(new QueuedRecord<>(record, callback, gate));
    }

    /**
     * Queues {@code deferred} as it is, made on the sender thread once its gate ({@link DeferredRecord#veto()}) lets it
     * go; as above, its own {@code onCompletion} hearing the outcome.
     */
    public void enqueue(DeferredRecord<K, V> deferred) {
        RuntimeException refused = refusal();
        if (refused != null) {
            Refusals.refuse(refused, deferred.topic(), null, deferred);
        } else {
            enqueue((Callback) deferred);
        }
    }

    /** The breaker's refusal now (counted, as a refused permit is), or null. */
    private RuntimeException refusal() {
        if (closing) {
            throw new IllegalStateException("Cannot send after the producer is closed (" + breaker.name() + ")");
        }
        return breaker.refusalNow();
    }

    /** Queues {@code entry} (a QueuedRecord or a DeferredRecord), or fails it at once when the queue is full. */
    private <E extends Callback> E enqueue(E entry) {
        counts.incrementAndGet(QUEUED);
        if (!queue.offer(entry)) {
            taken(1);
            QueuedRecord.fail(entry, new SendQueueFullException(breaker.name(), capacity));
            return entry;
        }
        if (closing && queue.remove(entry)) {
            // Closed between the check and the offer, maybe after close's last drain: this record is not left behind.
            taken(1);
            QueuedRecord.fail(entry, new KafkaException(CLOSED_BEFORE_SENT));
        } else if (breaker.refusesNow() && queue.remove(entry)) {
            // Opened between the check and the offer, maybe after its drain ran. (Not an OPEN breaker whose retry time
            // has come: the sender's permit moves it to HALF_OPEN, whether or not the watchdog has yet.)
            taken(1);
            RuntimeException refusal = breaker.refusalNow();   // counted, as at the check
            QueuedRecord.fail(entry, refusal != null ? refusal : breaker.openException());
        }
        return entry;
    }

    /** The sender's: the veto of {@code entry}'s gate, or null once handed over ({@link #refused}: if the breaker refused it). */
    @SuppressWarnings("unchecked")
    private RuntimeException handOver(Callback entry) {
        RuntimeException veto;
        Future<RecordMetadata> sent;
        if (entry instanceof DeferredRecord<?, ?> d) {
            if ((veto = d.veto()) != null) {
                return veto;
            }
            sent = guarded.send(DeferredRecords.made((DeferredRecord<K, V>) d), d);
        } else {
            QueuedRecord<K, V> queued = (QueuedRecord<K, V>) entry;
            ProducerRecord<K, V> record = queued.record;   // read before the send: the entry lets go of it once settled
            Supplier<? extends RuntimeException> gate = queued.gate;
            if ((veto = gate == null ? null : gate.get()) != null) {
                return veto;
            }
            sent = guarded.send(record, queued);
        }
        refused = sent instanceof Refusals.Refused;
        return null;
    }

    /** Records queued and not yet handed to the producer. */
    public int size() {
        return queue.size();
    }

    private void run() {
        for (;;) {
            if (!closing) {
                // An interrupt before close (a callback's, or code it ran) would fail every record that waits
                // in Kafka's send(); only awaitSender() interrupts on purpose, after close began.
                Thread.interrupted();
            }
            Callback entry = queue.poll();
            if (entry == null) {
                if (closing) {
                    return;
                }
                entry = queue.await(() -> closing);
                if (entry == null) {
                    continue;
                }
            }
            RuntimeException veto;
            refused = false;
            try {
                veto = handOver(entry);
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
                    QueuedRecord.fail(entry, veto);
                } else if (refused) {
                    // Refused: nothing queued behind it may get ahead of it, so the rest is refused too.
                    drain(null, false);
                }
            } catch (Throwable e) {
                LOG.warn("Failing a record of '{}' threw", breaker.name(), e);
            }
        }
    }

    /** Fails each queued record (if {@code whileOpen}: while the breaker {@code refusesNow()}) with its refusal or {@code failure}. */
    private void drain(Exception failure, boolean whileOpen) {
        Callback entry;
        while ((!whileOpen || breaker.refusesNow()) && (entry = queue.poll()) != null) {
            taken(1);
            try {
                QueuedRecord.fail(entry, failure != null ? failure : breaker.openException());
            } catch (Throwable e) {
                LOG.warn("Failing a queued record of '{}' threw", breaker.name(), e);
            }
        }
    }

    private void taken(int n) {
        counts.addAndGet(TAKEN, n);
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
        if (Thread.currentThread() == sender || QueueDrains.isDrainThread()) {
            return; // a callback flushing from the thread that hands records over: waiting would never end
        }
        long target = counts.get(QUEUED);
        flushing.incrementAndGet();
        try {
            synchronized (progress) {
                while (counts.get(TAKEN) < target) {
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
        queue.wake();   // a sleeping sender with nothing queued ends now, not at its next look
        drainOnOpen.close();
        try {
            sender.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drain(new KafkaException(CLOSED_BEFORE_SENT), false);
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
