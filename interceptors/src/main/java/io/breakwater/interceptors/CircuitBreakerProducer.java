package io.breakwater.interceptors;

import io.breakwater.breaker.Timeouts;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.watch.Watchdog;
import io.breakwater.interceptors.internal.ClusterWideRule;
import io.breakwater.interceptors.internal.CredentialRefusals;
import io.breakwater.interceptors.internal.GuardSetup;
import io.breakwater.interceptors.internal.ObservedBreakers;
import io.breakwater.interceptors.internal.DeferredRecords;
import io.breakwater.interceptors.internal.GuardedSends;
import io.breakwater.interceptors.internal.SendQueue;
import io.breakwater.interceptors.internal.SendRecorder;
import io.breakwater.interceptors.internal.TransactionRefusals;
import io.breakwater.status.StatusPublisher;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Producer} that puts a circuit breaker in front of any other: the fail-fast front door.
 *
 * <ul>
 *   <li>Each {@code send} asks the breaker first. Refused, it fails at once without touching the delegate:
 *       the future fails with {@link io.breakwater.breaker.CircuitBreakerOpenException} and the callback gets it too. So callers
 *       never block for {@code max.block.ms} while the cluster is down.</li>
 *   <li>Both error paths are recorded: an exception thrown by the delegate's {@code send} and a failure
 *       reported through its future and callback. The caller sees exactly what the delegate produced, and
 *       the caller's callback runs whatever the recording does.</li>
 *   <li>The outage is noticed in about two seconds, not at {@code delivery.timeout.ms}, whatever the number of
 *       caller threads: the watchdog counts a {@code send} blocked past the block threshold (default 1 s), and a
 *       record unanswered past the in-flight threshold (default 2 s), as one failure each; when sends waited or
 *       failed for the in-flight threshold with none succeeding, the breaker opens at once (one caller is enough).</li>
 *   <li>Non-blocking mode ({@code breakwater.send.nonblocking=true}, {@link CircuitBreakerProducerBuilder#nonBlocking})
 *       makes {@code send} return at once: one sender thread hands the records to the delegate in order, and
 *       is the only thread that can block in Kafka's {@code send}.</li>
 *   <li>Each send's outcome goes to the breaker with the permit it was sent under, so a record that was sent
 *       before the breaker opened and answers late never decides a trial.</li>
 *   <li>A {@link FailureClassifier} decides what counts: a caller's error reaches the caller and does not,
 *       nor does anything once {@code close} has begun. Every other method delegates ({@link ForwardingProducer}),
 *       except that a transaction in which a send was refused commits nothing: its commit throws.</li>
 * </ul>
 *
 * <p>Delivery stays at-least-once: a record whose send timed out may still have been written (a frozen
 * broker that resumes writes what it had); never retry it as if it were lost for sure.
 */
public final class CircuitBreakerProducer<K, V> extends ForwardingProducer<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreakerProducer.class);

    private final CircuitBreaker breaker;
    private final SendRecorder recorder;
    private final Subscription watchdog;
    private final Subscription subscriptions;
    private final StatusPublisher ownedPublisher;
    // The non-blocking front; null in the default, blocking mode.
    private final SendQueue<K, V> queue;
    private final TransactionRefusals transactions = new TransactionRefusals();
    private final GuardedSends<K, V> sends;

    private CircuitBreakerProducer(CircuitBreakerProducerBuilder<K, V> b) {
        super(b.delegate);
        this.breaker = b.breaker;
        Clock clock = b.clock != null ? b.clock : breaker.config().clock();
        boolean recordOutcomes = b.recordOutcomes != null ? b.recordOutcomes : !ObservedBreakers.isObserved(breaker);
        if (!recordOutcomes) {
            LOG.info("Breaker '{}' is observed by an interceptor; this wrapper only enforces it", breaker.name());
        }
        // The rule decides what counts; a wrapper that does not record has nothing for it to decide.
        ClusterWideRule clusterRule = b.clusterWideOnly && recordOutcomes ? new ClusterWideRule(clock, b.inFlightThreshold) : null;
        this.recorder = new SendRecorder(breaker, b.classifier, clock, clusterRule, b.sendBlockThreshold,
                b.blockThresholdName, b.inFlightThreshold, b.inFlightThresholdName,
                CredentialRefusals.of(breaker.name(), b.producerConfig, clock, b.sendBlockThreshold, b.inFlightThreshold));
        Subscription rule = clusterRule == null ? () -> { } : breaker.onTransition(t -> clusterRule.entered(t.to()));
        Subscription attached;
        try {
            attached = GuardSetup.attach(breaker, b.publisher, b.follower, b.ownedFollower);
        } catch (RuntimeException e) {
            rule.close(); // a closed follower: undo what was attached
            throw e;
        }
        this.subscriptions = () -> {
            rule.close();
            attached.close();
        };
        this.ownedPublisher = b.ownedPublisher;
        this.watchdog = recordOutcomes && b.watchdog ? Watchdog.register(this::checkNow) : () -> { };
        this.sends = new GuardedSends<>(b.delegate, breaker, clusterRule, recordOutcomes ? recorder : null, transactions,
                b.nonBlocking);
        this.queue = b.nonBlocking ? new SendQueue<>(breaker.name(), breaker, b.sendQueueMaxRecords, sends) : null;
    }

    /** Wraps {@code delegate} with {@code breaker} and the default thresholds and classifier. */
    public static <K, V> CircuitBreakerProducer<K, V> wrap(Producer<K, V> delegate, CircuitBreaker breaker) {
        return builder(delegate).breaker(breaker).build();
    }

    /**
     * Wraps {@code delegate} as the {@code breakwater.*} keys of {@code config} say (usually the producer's
     * own properties): the breaker comes from the global registry by {@code breakwater.breaker.name} (or
     * {@code client.id}), its transitions go to the status topic unless {@code breakwater.status.enabled=false},
     * {@code breakwater.control.enabled=true} makes it follow operators' commands on the control topic (waiting up
     * to {@code breakwater.control.read.timeout.ms} for a standing one), and {@code breakwater.send.nonblocking=true}
     * makes {@code send()} return at once.
     *
     * <p>The wrapper owns {@code delegate}: closing the wrapper closes it, and if {@code wrap} fails, it closes
     * {@code delegate} before it throws, so no producer is left running.
     *
     * @throws org.apache.kafka.common.config.ConfigException for an unknown or invalid {@code breakwater.*} key
     * @throws IllegalArgumentException when a breaker of that name exists with other settings
     */
    public static <K, V> CircuitBreakerProducer<K, V> wrap(Producer<K, V> delegate, Map<String, ?> config) {
        return CircuitBreakerProducerBuilder.fromConfig(delegate, config);
    }

    public static <K, V> CircuitBreakerProducerBuilder<K, V> builder(Producer<K, V> delegate) {
        return new CircuitBreakerProducerBuilder<>(delegate, CircuitBreakerProducer::new);
    }

    /** Non-blocking: hands the queued records over first (KafkaException: a close gave up on the sender); then flushes. */
    @Override
    public void flush() {
        if (queue != null) {
            queue.awaitHandedOver();
        }
        delegate().flush();
    }

    /**
     * @throws IllegalStateException in non-blocking mode (sends could cross a commit); the breaker's
     *         {@code CircuitBreakerOpenException} at once while it refuses every call (OPEN before its retry time,
     *         FORCED_OPEN), not after {@code max.block.ms}. Once the retry time has come it goes ahead, taking no permit:
     *         the first send is the trial.
     */
    @Override
    public void initTransactions() {
        TransactionRefusals.checkInit(queue != null, breaker);
        delegate().initTransactions();
    }

    @Override
    public void beginTransaction() {
        TransactionRefusals.checkBegin(queue != null);
        delegate().beginTransaction();
        transactions.began();
    }

    /**
     * Commits, unless a send in this transaction was refused (by the breaker, or a gate): then, as after a failed send
     * in a Kafka transaction, nothing is committed, and this throws a {@code KafkaException} caused by the first
     * refusal; abort the transaction.
     */
    @Override
    public void commitTransaction() {
        transactions.checkCommit(breaker.name());
        delegate().commitTransaction();
        transactions.ended();
    }

    @Override
    public void abortTransaction() {
        delegate().abortTransaction();
        transactions.ended();
    }

    /** The breaker that guards this producer. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /**
     * Sends {@code record} if the breaker permits. Blocking mode (the default): as Kafka's {@code send()}, which
     * may block up to {@code max.block.ms}. Non-blocking mode: returns at once; the record waits in the send
     * queue, and what Kafka's {@code send()} would throw arrives through the future and the callback.
     *
     * @throws IllegalStateException in non-blocking mode, after close began
     */
    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
        return send(record, callback, null);
    }

    /**
     * Like {@link #send(ProducerRecord, Callback)}, with a gate of the record's own: {@code gate} runs just
     * before the record is handed to the delegate (in non-blocking mode on the sender thread, when the record
     * leaves the queue), and an exception it returns fails the record instead, through the future and the
     * callback. A record of a stream whose own breaker opened while it waited is dropped this way.
     */
    public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback, Supplier<? extends RuntimeException> gate) {
        Objects.requireNonNull(record, "record");
        if (queue != null) {
            return queue.enqueue(record, callback, gate);
        }
        RuntimeException veto = gate == null ? null : gate.get();
        if (veto != null) {
            return sends.vetoed(veto, record.topic(), record.partition(), callback);
        }
        return sends.send(record, callback);
    }

    /**
     * Sends the record {@code deferred} makes, made only when it is handed to the delegate (in non-blocking mode on the
     * sender thread, as it leaves the queue), after its gate ({@link DeferredRecord#veto()}) let it go; {@code deferred}
     * hears the outcome, on every path, what {@code veto()}, {@code make()} or the delegate's {@code send()} throws
     * included (in blocking mode too). A record waiting in the queue holds only what {@code deferred} holds.
     *
     * @throws IllegalStateException in non-blocking mode, after close began
     * @throws Error                 in blocking mode, an {@code Error} that {@code veto()}, {@code make()} or the
     *                               delegate's {@code send()} throws (it reaches {@code deferred} too)
     */
    public void sendDeferred(DeferredRecord<K, V> deferred) {
        Objects.requireNonNull(deferred, "deferred");
        if (queue != null) {
            queue.enqueue(deferred);
            return;
        }
        try {
            RuntimeException veto = deferred.veto();
            if (veto != null) {
                sends.vetoed(veto, deferred.topic(), null, deferred);
                return;
            }
            sends.send(DeferredRecords.made(deferred), deferred);
        } catch (RuntimeException | Error e) {
            DeferredRecords.failed(deferred, e);
            if (e instanceof Error error) {
                throw error;
            }
        }
    }

    /** Runs the watchdog's checks now; for tests that drive a {@code ManualClock}. */
    void checkNow() {
        recorder.check();
    }

    /**
     * Closes the delegate (waiting as long as it does; in non-blocking mode the queued records are handed over
     * first), then publishes held status events for up to 5 s.
     */
    @Override
    public void close() {
        recorder.closing();
        try {
            if (queue != null) {
                queue.close(Duration.ofMillis(Long.MAX_VALUE));
            }
            delegate().close();
        } finally {
            release(StatusPublisher.DEFAULT_CLOSE_TIMEOUT);
        }
    }

    /**
     * Closes within about {@code timeout}: the delegate gets {@code timeout}, and held status events what is
     * left of it (with nothing left, they are published in the background, for up to 5 s).
     */
    @Override
    public void close(Duration timeout) {
        Timeouts.nonNegative(timeout);
        recorder.closing();
        long deadline = System.nanoTime() + Timeouts.deadlineNanos(timeout);
        try {
            delegate().close(queue == null ? timeout : queue.close(timeout));
        } finally {
            release(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    private void release(Duration left) {
        if (queue != null) {
            // Within what is left of close's bound (at most 1 s): a sender still blocked is logged, not waited for.
            queue.awaitSender(left.compareTo(Duration.ofSeconds(1)) < 0 ? left : Duration.ofSeconds(1));
        }
        watchdog.close();
        subscriptions.close();
        if (ownedPublisher != null) {
            if (left.toMillis() > 0) {
                ownedPublisher.close(left);
            } else {
                ownedPublisher.closeInBackground(StatusPublisher.DEFAULT_CLOSE_TIMEOUT);
            }
        }
    }

    @Override
    public String toString() {
        return "CircuitBreakerProducer[" + breaker + ", " + delegate() + "]";
    }
}
