package io.breakwater.interceptors;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.watch.AckTracker;
import io.breakwater.breaker.watch.Watchdog;
import io.breakwater.breaker.Throwables;
import io.breakwater.interceptors.internal.CredentialRefusals;
import io.breakwater.interceptors.internal.GuardSetup;
import io.breakwater.interceptors.internal.ObservedBreakers;
import io.breakwater.interceptors.internal.Verdicts;
import io.breakwater.status.ControlFollower;
import io.breakwater.status.StatusPublisher;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Breaker protection for existing Kafka code from one line of producer configuration:
 * <pre>
 * interceptor.classes=io.breakwater.interceptors.CircuitBreakerProducerInterceptor
 * </pre>
 * plus any {@code breakwater.*} keys ({@link BreakwaterConfig}).
 *
 * <p><b>It observes; it cannot reject.</b> Kafka catches whatever {@code onSend} throws, logs it and
 * sends the record anyway, so no interceptor can fail a send fast. This one keeps the breaker's state
 * from the producer's outcomes, notices a stalled cluster within about a second (a record unanswered
 * longer than {@code breakwater.in.flight.threshold.ms} counts as a failure), and publishes every
 * transition to the status topic; with {@code breakwater.control.enabled=true} it also follows operators' commands on
 * the control topic. For fail-fast sends, wrap the producer in
 * {@link CircuitBreakerProducer}: with the same {@code breakwater.breaker.name} both share one breaker,
 * the interceptor recording and the wrapper enforcing.
 *
 * <p>{@code onAcknowledgement} runs on the producer's network thread; it records in O(1) and never blocks.
 * Both of its forms are implemented, so the interceptor works with every kafka-clients from 3.7 (which
 * calls the two-argument form) to 4.4 (4.1 and later call the one with headers).
 * {@code close} never blocks either: the status events still waiting are published in the background.
 *
 * <p>The breaker is the one of {@code CircuitBreakerRegistry.global()} named by {@code breakwater.breaker.name}
 * (or the producer's {@code client.id}, or {@code kafka-producer}): reach it with
 * {@code CircuitBreakerRegistry.global().get(name)}, or {@link #breaker()}.
 */
public class CircuitBreakerProducerInterceptor<K, V> implements ProducerInterceptor<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreakerProducerInterceptor.class);

    private CircuitBreaker breaker;
    private AckTracker tracker;
    private FailureClassifier classifier = FailureClassifier.kafkaDefault();
    private Subscription watchdog = () -> { };
    private StatusPublisher publisher;
    private Subscription statusSubscription = () -> { };
    private ControlFollower follower;
    private CredentialRefusals refusals = CredentialRefusals.of("kafka-producer", null, Clock.system());
    private Subscription controlSubscription = () -> { };
    // Whether a send was seen while the breaker was FORCED_OPEN with no wrapper to refuse it (warned once).
    private final java.util.concurrent.atomic.AtomicBoolean unenforced = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Reads the {@code breakwater.*} keys and sets up the breaker, the watchdog and the status publisher.
     * When restoring is on (and the instance id is stable), it waits up to
     * {@code breakwater.state.restore.timeout.ms} for the state its instance last published.
     *
     * @throws org.apache.kafka.common.config.ConfigException for an unknown or invalid {@code breakwater.*}
     *         key, or when status publishing is on and no usable bootstrap server is configured
     * @throws IllegalArgumentException when a breaker of the same name exists with other settings
     */
    @Override
    public void configure(Map<String, ?> configs) {
        BreakwaterConfig config = new BreakwaterConfig(configs);
        StatusPublisher statusPublisher = GuardSetup.publisher(configs, config);
        try {
            this.follower = GuardSetup.follower(configs, config);
            this.breaker = GuardSetup.breaker(configs, config);
        } catch (RuntimeException e) {
            if (statusPublisher != null) {
                statusPublisher.close(java.time.Duration.ZERO);
            }
            if (follower != null) {
                follower.close();
            }
            throw e;
        }
        Clock clock = breaker.config().clock();
        this.tracker = new AckTracker(breaker, clock, config.inFlightThreshold(), BreakwaterConfig.IN_FLIGHT_THRESHOLD_MS_CONFIG);
        this.refusals = CredentialRefusals.of(breaker.name(), configs, clock, config.inFlightThreshold());
        tracker.excuseWhile(refusals::refusing);
        this.watchdog = Watchdog.register(tracker);
        ObservedBreakers.observe(breaker);
        if (statusPublisher != null) {
            this.publisher = statusPublisher;
            this.statusSubscription = statusPublisher.attach(breaker);
        }
        if (follower != null) {
            // After the status publisher, so that the command's transition is published after the breaker's start.
            this.controlSubscription = follower.attach(breaker);
            GuardSetup.awaitRead(follower, breaker, config);
        }
        LOG.info("Breakwater interceptor observes breaker '{}' (status {}, control {})", breaker.name(),
                statusPublisher == null ? "off" : "to topic " + statusPublisher.topic(),
                follower == null ? "off" : "from topic " + follower.topic());
    }

    /** The breaker this interceptor keeps; null before {@link #configure(Map)}. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Records handed to the producer and not answered yet. */
    public long inFlight() {
        return tracker == null ? 0 : tracker.inFlight();
    }

    /** Whether a send went through while the breaker was FORCED_OPEN by no wrapper's refusal (logged once). */
    boolean sentWhileForcedOpen() {
        return unenforced.get();
    }

    /** Returns {@code record} unchanged: an interceptor cannot refuse a send (see the class comment). */
    @Override
    public ProducerRecord<K, V> onSend(ProducerRecord<K, V> record) {
        if (tracker != null) {
            tracker.sent();
        }
        if (follower != null && breaker.state() == CircuitBreakerState.FORCED_OPEN && unenforced.compareAndSet(false, true)) {
            // A wrapper would have refused this send before the interceptor saw it: nothing enforces the breaker.
            LOG.warn("Breaker '{}' is FORCED_OPEN, yet the producer sends: an interceptor cannot refuse a send, so an "
                    + "operator's force-open changes nothing for this producer's traffic (the status topic still says "
                    + "FORCED_OPEN). Wrap the producer (CircuitBreakerProducer.wrap) with the same breakwater.breaker.name "
                    + "to enforce it", breaker.name());
        }
        return record;
    }

    /** Records the outcome; kafka-clients up to 4.0 call this form. */
    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        acknowledged(exception);
    }

    /**
     * Records the outcome; kafka-clients 4.1 and later call this form (and only this one: each record is
     * counted once). The headers are not read.
     */
    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception, Headers headers) {
        acknowledged(exception);
    }

    private void acknowledged(Exception exception) {
        if (tracker == null) {
            return;
        }
        boolean counts = exception != null && Verdicts.counts(classifier, exception);
        if (exception == null) {
            tracker.succeeded();
            refusals.succeeded();
        } else if (refusals.refused(exception)) {
            tracker.refusedByCluster();   // the cluster answered: no stall, though nothing succeeded
        } else if (Throwables.unwrap(exception) instanceof AuthorizationException) {
            tracker.refusedByCluster();
            refusals.cleared();
        } else if (counts) {
            refusals.cleared();
        }
        if (!tracker.acknowledged()) {
            return;
        }
        if (exception == null) {
            breaker.recordSuccess();
        } else if (counts) {
            breaker.recordFailure(exception);
        } else {
            breaker.recordIgnored();
        }
    }

    /** Stops watching; the status events still waiting are published in the background (up to 5 s). */
    @Override
    public void close() {
        watchdog.close();
        controlSubscription.close();
        if (follower != null) {
            follower.close();
        }
        statusSubscription.close();
        if (breaker != null) {
            ObservedBreakers.release(breaker);
        }
        if (publisher != null) {
            publisher.closeInBackground(StatusPublisher.DEFAULT_CLOSE_TIMEOUT);
        }
    }
}
