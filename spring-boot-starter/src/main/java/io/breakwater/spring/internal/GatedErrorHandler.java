package io.breakwater.spring.internal;

import io.breakwater.breaker.CallStats;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.Throwables;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerAwareRecordRecoverer;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ErrorHandlingUtils;
import org.springframework.kafka.listener.KafkaBackoffException;
import org.springframework.kafka.listener.ListenerUtils;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.listener.SeekUtils;
import org.springframework.kafka.support.KafkaUtils;
import org.springframework.util.backoff.FixedBackOff;

/**
 * The starter's error handler: Spring Kafka's {@link DefaultErrorHandler} (a record that fails ten deliveries goes to
 * the recoverer), except that a dependency that is away never makes a record skipped:
 * <ul>
 *   <li>A refusal (a {@link CircuitBreakerOpenException}, or a {@code GuardClosedException} of a guard closed before the
 *       listener container, or an exception caused by either), in any listener, uses up no
 *       delivery: the record is sought back and tried again after a second (sooner once the container pauses),
 *       without limit.</li>
 *   <li>In a gated listener ({@code breakwater.listeners.<id>.pause-on}), a failure that the gate's breaker counts
 *       (and that Spring Kafka would retry) is counted as the consumer gate counts it: the count in a row starts
 *       again when, since the record's last delivery, the breaker recorded no success but made a transition or
 *       recorded a failure (an outage: the breaker opened, its trial failed, or the dependency keeps failing on its
 *       way to opening). The record is recovered after {@link #MAX_IN_ROW} failed deliveries in a row (the breaker
 *       saw nothing of them, or others succeeded meanwhile: the record is at fault), or {@link #MAX_IN_ALL} in all,
 *       across breaker cycles (a record that fails every trial cannot be told from an outage, and must not stop its
 *       partition for ever).</li>
 *   <li>Everything else goes Spring Kafka's way: a failure the breaker does not count, one Spring Kafka does not
 *       retry (a record that cannot be deserialized), a listener without a gate, a gate whose breaker is DISABLED,
 *       and batch listeners.</li>
 * </ul>
 * Nothing is committed past a record being retried: it is sought back, as Spring Kafka does. Thread-safe: each
 * consumer thread counts its own partitions' deliveries.
 */
public final class GatedErrorHandler extends DefaultErrorHandler {

    /** Failed deliveries in a row, with no outage between them, before the record is recovered (Spring Kafka's 10). */
    public static final int MAX_IN_ROW = SeekUtils.DEFAULT_MAX_FAILURES;
    /** Failed deliveries in all, across breaker cycles, before the record is recovered. */
    public static final int MAX_IN_ALL = 10 * MAX_IN_ROW;
    /** How long a refused record waits before it is tried again, unless the container pauses meanwhile. */
    static final long REFUSAL_BACK_OFF_MS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(GatedErrorHandler.class);

    private enum Verdict { REFUSED, RETRY, RECOVER, SPRING }

    /** The recoverer when the application has none: the record is logged (never its key or value) and skipped. */
    private static final ConsumerRecordRecoverer SKIP = GatedErrorHandler::skip;

    private final ConsumerRecordRecoverer recoverer;
    private final Map<String, CircuitBreaker> gates;
    // The transitions of each gate's breaker so far: bumped on the thread that made each, read by consumer threads.
    private final Map<CircuitBreaker, AtomicLong> transitions = new IdentityHashMap<>();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final DeliveryAttempts attempts = new DeliveryAttempts();

    /**
     * @param recoverer where a record goes that is not retried any more; null: it is logged and skipped
     * @param gates the breaker of each gated listener, by listener id
     * @throws NullPointerException naming {@code gates}, or the listener id whose breaker is null
     */
    public GatedErrorHandler(ConsumerRecordRecoverer recoverer, Map<String, CircuitBreaker> gates) {
        super(recoverer != null ? recoverer : SKIP);
        this.recoverer = recoverer != null ? recoverer : SKIP;
        Objects.requireNonNull(gates, "gates").forEach((id, breaker) -> Objects.requireNonNull(breaker,
                () -> "gates[" + id + "]"));
        this.gates = Map.copyOf(gates);
        // Batch listeners keep Spring Kafka's handling, but a refusal still waits without limit there too.
        setBackOffFunction((record, e) -> isRefusal(e) ? new FixedBackOff(REFUSAL_BACK_OFF_MS,
                FixedBackOff.UNLIMITED_ATTEMPTS) : null);
        for (CircuitBreaker breaker : this.gates.values()) {
            if (!transitions.containsKey(breaker)) {
                AtomicLong count = new AtomicLong();
                transitions.put(breaker, count);
                subscriptions.add(breaker.onTransition(t -> count.incrementAndGet()));
            }
        }
    }

    private static void skip(ConsumerRecord<?, ?> record, Exception e) {
        LOG.error("Record {} is skipped: {} (define a ConsumerRecordRecoverer bean, such as a "
                + "DeadLetterPublishingRecoverer, to keep such records)", KafkaUtils.format(record), Throwables.describe(e));
        LOG.debug("Record {} failed", KafkaUtils.format(record), e);
    }

    @Override
    public void handleRemaining(Exception thrown, List<ConsumerRecord<?, ?>> records, Consumer<?, ?> consumer,
            MessageListenerContainer container) {
        Verdict verdict = records == null || records.isEmpty() ? Verdict.SPRING : judge(thrown, records.get(0), container);
        switch (verdict) {
            case REFUSED, RETRY -> SeekUtils.seekOrRecover(thrown, records, consumer, container, false, (r, e, c, k) -> {
                if (verdict == Verdict.REFUSED) {
                    backOff(container);
                }
                return false;
            }, logger, getLogLevel());
            case RECOVER -> SeekUtils.seekOrRecover(thrown, records, consumer, container, isCommitRecovered(),
                    (r, e, c, k) -> recover(r, thrown, k), logger, getLogLevel());
            default -> super.handleRemaining(thrown, records, consumer, container);
        }
    }

    @Override
    public boolean handleOne(Exception thrown, ConsumerRecord<?, ?> record, Consumer<?, ?> consumer,
            MessageListenerContainer container) {
        switch (judge(thrown, record, container)) {
            case REFUSED:
                backOff(container);
                return false;
            case RETRY:
                return false;
            case RECOVER:
                try {
                    return recover(record, thrown, consumer);
                } catch (RuntimeException e) {
                    LOG.error("The recoverer failed on record {}; it will be tried again: {}", KafkaUtils.format(record),
                            Throwables.describe(e));
                    return false;
                }
            default:
                return super.handleOne(thrown, record, consumer, container);
        }
    }

    @Override
    public void clearThreadState() {
        super.clearThreadState();
        attempts.clearThread();
    }

    /** Stops counting the gates' transitions. */
    public void close() {
        subscriptions.forEach(Subscription::close);
    }

    private Verdict judge(Exception thrown, ConsumerRecord<?, ?> record, MessageListenerContainer container) {
        if (isRefusal(thrown)) {
            return Verdict.REFUSED;
        }
        CircuitBreaker gate = gateOf(container);
        Throwable failure = failure(thrown);
        if (gate == null || gate.state() == CircuitBreakerState.DISABLED || !retriedBySpring(failure)
                || !counts(gate, failure)) {
            return Verdict.SPRING;
        }
        CallStats calls = gate.callStats();
        DeliveryAttempts.Attempts a = attempts.failed(record, transitions.get(gate).get(), calls.successful(),
                calls.failed());
        if (a.inRow < MAX_IN_ROW && a.inAll < MAX_IN_ALL) {
            return Verdict.RETRY;
        }
        LOG.warn("Record {} failed {} deliveries in a row with no outage of breaker '{}' between them ({} in all); "
                + "recovering it: {}", KafkaUtils.format(record), a.inRow, gate.name(), a.inAll,
                Throwables.describe(failure));
        return Verdict.RECOVER;
    }

    private CircuitBreaker gateOf(MessageListenerContainer container) {
        if (container == null || gates.isEmpty()) {
            return null;
        }
        try {
            return gates.get(container.getListenerId());
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /** The listener's exception, without Spring Kafka's and the JDK's wrappers. */
    private static Throwable failure(Exception thrown) {
        Exception unwrapped = ErrorHandlingUtils.unwrapIfNeeded(thrown);
        return Throwables.unwrap(unwrapped != null ? unwrapped : thrown);
    }

    private boolean retriedBySpring(Throwable failure) {
        return getExceptionMatcher().match(failure) && !(failure instanceof KafkaBackoffException);
    }

    /** Whether the breaker counts {@code failure}; a predicate that throws counts it, as the breaker does. */
    private static boolean counts(CircuitBreaker breaker, Throwable failure) {
        if (failure instanceof VirtualMachineError) {
            return false;
        }
        try {
            return breaker.config().isRecordedFailure(failure);
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** A refusal: a CircuitBreakerOpenException or a GuardClosedException, or one caused by either, within a few causes. */
    static boolean isRefusal(Throwable thrown) {
        Throwable t = thrown;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CircuitBreakerOpenException || t instanceof io.breakwater.breaker.GuardClosedException) {
                return true;   // a closed guard (the application stopping) too: the record waits, it is not recovered
            }
        }
        return false;
    }

    private boolean recover(ConsumerRecord<?, ?> record, Exception thrown, Consumer<?, ?> consumer) {
        if (recoverer instanceof ConsumerAwareRecordRecoverer aware) {
            aware.accept(record, consumer, thrown);
        } else {
            recoverer.accept(record, thrown);
        }
        attempts.recovered(record);
        return true;
    }

    private static void backOff(MessageListenerContainer container) {
        if (container == null) {
            return;
        }
        try {
            if (container.isRunning() && !container.isPauseRequested()) {
                ListenerUtils.conditionalSleep(() -> container.isRunning() && !container.isPauseRequested(),
                        REFUSAL_BACK_OFF_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
