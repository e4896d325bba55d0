package io.breakwater.interceptors.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Subscription;
import io.breakwater.interceptors.DeferredRecord;
import io.breakwater.interceptors.SendQueueFullException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
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
 * the guarded send and its callback), the drain when the breaker opens, or {@link #close(Duration)}. A callback that
 * throws is logged; it never reaches the caller of {@code enqueue}.
 *
 * <p>A caller takes no lock and wakes the sender only when the sender said it sleeps ({@link HandOff}).
 */
public final class SendQueue<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(SendQueue.class);
    /** The message of the {@code KafkaException} of a record still queued when the producer closed. */
    public static final String CLOSED_BEFORE_SENT = "The producer was closed before this record was sent";

    /** How long an idle sender sleeps at most before it looks again. */
    static final Duration IDLE_WAIT = Duration.ofMillis(100);

    private final CircuitBreaker breaker;
    private final GuardedSend<K, V> guarded;
    private final int capacity;
    private final Thread sender;
    // Entries: a QueuedRecord, a DeferredRecord queued as it is (each completed through its onCompletion), a FlushMark.
    private final HandOff<Callback> queue;
    private final Subscription drainOnOpen;
    private volatile boolean closing;
    // The thread in close(), the drain thread while it drains this queue: a callback of their drain must not wait for it.
    private volatile Thread closer;
    private volatile Thread drainer;
    private final FlushMarks flushes;
    private boolean refused;   // whether the breaker refused the record just handed over; the sender thread's

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
        this.sender = new Thread(this::runThenRelease, "breakwater-sender-" + name);
        this.queue = new HandOff<>(capacity, idleWait, sender);
        this.flushes = new FlushMarks(queue);
        // Transitions come on any thread: the callbacks run later on the drain thread, while the breaker still refuses.
        this.drainOnOpen = breaker.onTransition(t -> {
            if (t.to().rejectsCalls()) {
                QueueDrains.EXECUTOR.execute(() -> {
                    drainer = Thread.currentThread();
                    try {
                        drain(null, true, Integer.MAX_VALUE);
                    } finally {
                        drainer = null;
                    }
                });
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
        QueuedRecord<K, V> entry = new QueuedRecord<>(record, callback, gate);
        if (refused != null) {
            entry.fail(refused);   // as every other path here: a callback that throws is logged, not thrown to the caller
            return entry;
        }
        return enqueue(entry);
    }

    /** Queues {@code deferred}, made on the sender thread once its gate lets it go; its {@code onCompletion} hears how. */
    public void enqueue(DeferredRecord<K, V> deferred) {
        RuntimeException refused = refusal();
        if (refused != null) {
            QueuedRecord.failLogged(deferred, refused, breaker.name());
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
        if (!queue.offer(entry)) {
            QueuedRecord.failLogged(entry, new SendQueueFullException(breaker.name(), capacity), breaker.name());
            return entry;
        }
        if (closing && queue.remove(entry)) {
            // Closed between the check and the offer, maybe after close's last drain: this record is not left behind.
            QueuedRecord.failLogged(entry, new KafkaException(CLOSED_BEFORE_SENT), breaker.name());
        } else if (breaker.refusesNow() && queue.remove(entry)) {
            // Opened between the check and the offer, maybe after its drain ran. (Not an OPEN breaker whose retry time
            // has come: the sender's permit moves it to HALF_OPEN, whether or not the watchdog has yet.)
            RuntimeException refusal = breaker.refusalNow();   // counted, as at the check
            QueuedRecord.failLogged(entry, refusal != null ? refusal : breaker.openException(), breaker.name());
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

    private void runThenRelease() {   // however the sender ends, the flushes whose marks close took then return
        try {
            run();
        } finally {
            flushes.senderEnded();
        }
    }

    private void run() {
        for (;;) {
            if (!closing) {
                // A callback's interrupt would fail every record in Kafka's send(): only awaitSender()'s, after close, counts.
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
            if (entry instanceof FlushMark mark) {
                flushes.senderTook(mark);   // every entry queued before this flush was handed over, or is being failed
                continue;
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
            if (veto != null) {
                QueuedRecord.failLogged(entry, veto, breaker.name());
            } else if (refused) {
                // Refused: what was queued behind it then is refused too (not what comes meanwhile: the breaker may admit).
                drain(null, false, queue.size());
            }
        }
    }

    /**
     * Fails up to {@code most} queued records (if {@code whileOpen}: while the breaker {@code refusesNow()}) with its
     * refusal or {@code failure}; a flush's mark taken on the way waits for any hand-over in progress.
     */
    private void drain(Exception failure, boolean whileOpen, int most) {
        boolean aside = Thread.currentThread() != sender && Thread.currentThread() != closer;   // the sender may be handing over
        List<FlushMark> marks = null;
        if (aside) {
            flushes.drainBegins();
        }
        try {
            Callback entry;
            for (int taken = 0; taken < most && (!whileOpen || breaker.refusesNow()) && (entry = queue.poll()) != null; ) {
                if (!(entry instanceof FlushMark mark)) {
                    taken++;
                    QueuedRecord.failLogged(entry, failure != null ? failure : breaker.openException(), breaker.name());
                } else if (aside) {
                    (marks == null ? marks = new ArrayList<>() : marks).add(mark);
                } else if (Thread.currentThread() == sender) {
                    flushes.senderTook(mark);   // as when it polls one: the breaker's drain may be telling a failure still
                } else {
                    flushes.untilSenderEnds(mark);   // close's: the sender may still be in send() with a record before it
                }
            }
        } finally {
            if (aside) {
                flushes.drainEnded(marks);
            }
        }
    }

    /**
     * Waits until every record queued before the call has been handed to the producer (or failed): a mark queued behind
     * them (past the queue's capacity: a full queue does not refuse a flush), let go once it is taken. On Kafka's network
     * thread (a callback of its producer) it waits for nothing, as the sender may be waiting for that thread.
     *
     * @throws org.apache.kafka.common.errors.InterruptException when interrupted (as Kafka's flush); it stays interrupted
     */
    public void awaitHandedOver() {
        Thread current = Thread.currentThread();
        if (current == sender || current == closer || current == drainer
                || SenderThreads.isNetworkThreadOf(current, guarded.producer())) {
            return; // a callback flushing from a thread that hands records over or fails them: it would wait for itself
        }
        flushes.await();
    }

    /**
     * Stops taking records: the sender hands over what is queued for up to {@code timeout}; records still queued then
     * fail with a {@code KafkaException}, and a flush waiting returns once the sender is out of {@code send()} (or
     * {@link #awaitSender} gave up on it). Returns the time left of {@code timeout}. Called by a callback on the sender
     * thread, it waits for nothing: the records still queued fail at once. Called on its producer's network thread,
     * which the sender may be waiting for in {@code send()}, so too, and no time is left (as Kafka's close there).
     */
    public Duration close(Duration timeout) {
        long deadline = System.nanoTime() + io.breakwater.breaker.Timeouts.deadlineNanos(timeout);
        boolean onNetwork = SenderThreads.isNetworkThreadOf(Thread.currentThread(), guarded.producer());
        boolean onSender = Thread.currentThread() == sender || onNetwork;
        closer = onNetwork ? null : Thread.currentThread();   // there the sender runs on: its drains are aside of it
        closing = true;
        queue.wake();   // a sleeping sender with nothing queued ends now, not at its next look
        drainOnOpen.close();
        if (!onSender) {   // the sender waiting for itself to end would wait out the timeout
            try {
                sender.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        KafkaException closed = new KafkaException(CLOSED_BEFORE_SENT);
        drain(closed, false, Integer.MAX_VALUE);
        flushes.drained();
        drain(closed, false, Integer.MAX_VALUE);   // the marks of flushes that came before they could see drained
        return onNetwork ? Duration.ZERO : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** After the producer is closed: waits briefly for a sender still in it; the flushes waiting for it fail if it is. */
    public void awaitSender(Duration timeout) {
        if (!SenderThreads.awaitEnd(sender, timeout, breaker.name())) {
            flushes.senderStuck(breaker.name());
        }
    }
}
