package io.breakwater.interceptors;

import io.breakwater.breaker.Timeouts;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Permit;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.watch.CallTracker;
import io.breakwater.breaker.watch.Watchdog;
import io.breakwater.interceptors.internal.ClusterWideRule;
import io.breakwater.interceptors.internal.GuardSetup;
import io.breakwater.interceptors.internal.ObservedBreakers;
import io.breakwater.interceptors.internal.Refusals;
import io.breakwater.interceptors.internal.Verdicts;
import io.breakwater.status.StatusPublisher;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
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
 *   <li>The outage is noticed in about a second, not at {@code delivery.timeout.ms}: the watchdog counts a
 *       {@code send} that blocks longer than the block threshold (default 1 s), and a record unanswered
 *       longer than the in-flight threshold (default 2 s), as one failure each.</li>
 *   <li>Each send's outcome goes to the breaker with the permit it was sent under, so a record that was sent
 *       before the breaker opened and answers late never decides a trial.</li>
 *   <li>A {@link FailureClassifier} decides what counts: a caller's error reaches the caller and does not,
 *       nor does anything once {@code close} has begun. Every other method delegates ({@link ForwardingProducer}).</li>
 * </ul>
 *
 * <p>Delivery stays at-least-once: a record whose send timed out may still have been written (a frozen
 * broker that resumes writes what it had); never retry it as if it were lost for sure.
 */
public final class CircuitBreakerProducer<K, V> extends ForwardingProducer<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreakerProducer.class);

    private final CircuitBreaker breaker;
    private final FailureClassifier classifier;
    private final Clock clock;
    private final boolean recordOutcomes;
    private final CallTracker tracker;
    private final String blockThresholdText;
    private final String inFlightThresholdText;
    private final ClusterWideRule clusterRule;
    private final Subscription watchdog;
    private final Subscription subscriptions;
    private final StatusPublisher ownedPublisher;
    // Set when close begins: outcomes from then on are the shutdown's, not the cluster's.
    private volatile boolean closing;

    private CircuitBreakerProducer(CircuitBreakerProducerBuilder<K, V> b) {
        super(b.delegate);
        this.breaker = b.breaker;
        this.classifier = b.classifier;
        this.clock = b.clock != null ? b.clock : breaker.config().clock();
        this.recordOutcomes = b.recordOutcomes != null ? b.recordOutcomes : !ObservedBreakers.isObserved(breaker);
        if (!recordOutcomes) {
            LOG.info("Breaker '{}' is observed by an interceptor; this wrapper only enforces it", breaker.name());
        }
        this.tracker = new CallTracker(breaker.name(), clock::nanoTime, b.sendBlockThreshold, b.inFlightThreshold, 1 << 16);
        this.blockThresholdText = b.blockThresholdName + "=" + b.sendBlockThreshold.toMillis();
        this.inFlightThresholdText = b.inFlightThresholdName + "=" + b.inFlightThreshold.toMillis();
        // The rule decides what counts; a wrapper that does not record has nothing for it to decide.
        this.clusterRule = b.clusterWideOnly && recordOutcomes ? new ClusterWideRule(clock, b.inFlightThreshold) : null;
        Subscription rule = clusterRule == null ? () -> { } : breaker.onTransition(t -> clusterRule.entered(t.to()));
        Subscription status = b.publisher != null ? b.publisher.attach(breaker) : () -> { };
        this.subscriptions = () -> {
            rule.close();
            status.close();
        };
        this.ownedPublisher = b.ownedPublisher;
        this.watchdog = recordOutcomes && b.watchdog ? Watchdog.register(this::checkNow) : () -> { };
    }

    /** Wraps {@code delegate} with {@code breaker} and the default thresholds and classifier. */
    public static <K, V> CircuitBreakerProducer<K, V> wrap(Producer<K, V> delegate, CircuitBreaker breaker) {
        return builder(delegate).breaker(breaker).build();
    }

    /**
     * Wraps {@code delegate} as the {@code breakwater.*} keys of {@code config} say (usually the producer's
     * own properties): the breaker comes from the global registry by {@code breakwater.breaker.name} (or
     * {@code client.id}), and its transitions go to the status topic unless {@code breakwater.status.enabled=false}.
     *
     * <p>The wrapper owns {@code delegate}: closing the wrapper closes it, and if {@code wrap} fails, it closes
     * {@code delegate} before it throws, so no producer is left running.
     *
     * @throws org.apache.kafka.common.config.ConfigException for an unknown or invalid {@code breakwater.*} key
     * @throws IllegalArgumentException when a breaker of that name exists with other settings
     */
    public static <K, V> CircuitBreakerProducer<K, V> wrap(Producer<K, V> delegate, Map<String, ?> config) {
        Objects.requireNonNull(delegate, "delegate");
        StatusPublisher publisher = null;
        try {
            Objects.requireNonNull(config, "config");
            BreakwaterConfig bw = new BreakwaterConfig(config);
            CircuitBreakerProducerBuilder<K, V> builder = builder(delegate)
                    .breaker(GuardSetup.breaker(config, bw))
                    .sendBlockThreshold(bw.sendBlockThreshold())
                    .inFlightThreshold(bw.inFlightThreshold())
                    .recordOutcomes(!GuardSetup.installsTheInterceptor(config));
            builder.thresholdNames(BreakwaterConfig.SEND_BLOCK_THRESHOLD_MS_CONFIG, BreakwaterConfig.IN_FLIGHT_THRESHOLD_MS_CONFIG);
            publisher = GuardSetup.publisher(config, bw);
            if (publisher != null) {
                builder.statusPublisher(publisher);
                builder.ownedPublisher = publisher;
            }
            return builder.build();
        } catch (Throwable e) {
            if (publisher != null) {
                publisher.close(Duration.ZERO);
            }
            try {
                delegate.close(Duration.ZERO);
            } catch (Throwable closeError) {
                e.addSuppressed(closeError);
            }
            throw e;
        }
    }

    public static <K, V> CircuitBreakerProducerBuilder<K, V> builder(Producer<K, V> delegate) {
        return new CircuitBreakerProducerBuilder<>(delegate, CircuitBreakerProducer::new);
    }

    /** The breaker that guards this producer. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
        Objects.requireNonNull(record, "record");
        String topic = record.topic();
        if (clusterRule != null) {
            clusterRule.attempted(topic);
        }
        Permit permit = breaker.tryAcquirePermit();
        if (permit == null) {
            return Refusals.refuse(breaker, record, callback);
        }
        if (clusterRule != null && !clusterRule.admit(topic, permit)) {
            breaker.releasePermit(permit);
            return Refusals.refuse(breaker, record, callback);
        }
        if (!recordOutcomes) {
            return delegate().send(record, callback);
        }
        Send send = new Send(clock.nanoTime(), permit, topic, callback);
        tracker.begin(send);
        Future<RecordMetadata> future;
        try {
            future = delegate().send(record, send);
        } catch (Throwable e) {
            if (tracker.answer(send)) {
                send.record(e);
            }
            throw e;
        }
        tracker.returned(send);
        return future;
    }

    /** One send: its permit, its tracking, and the caller's callback, which always runs. */
    private final class Send extends CallTracker.Call implements Callback {
        private final Permit permit;
        private final String topic;
        private final Callback user;

        Send(long start, Permit permit, String topic, Callback user) {
            super(start);
            this.permit = permit;
            this.topic = topic;
            this.user = user;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            try {
                if (tracker.answer(this)) {
                    record(exception);
                }
            } finally {
                if (user != null) {
                    user.onCompletion(metadata, exception);
                }
            }
        }

        void record(Throwable failure) {
            long elapsed = clock.nanoTime() - startNanos();
            if (clusterRule != null) {
                clusterRule.answered(topic, permit);
            }
            if (failure == null) {
                if (clusterRule != null) {
                    clusterRule.succeeded(topic);
                }
                breaker.recordSuccess(permit, elapsed);
            } else if (closing || !Verdicts.counts(classifier, failure) || (clusterRule != null && !clusterRule.failed(topic))) {
                breaker.recordIgnored(permit);
            } else {
                breaker.recordFailure(permit, failure, elapsed);
            }
        }

        @Override
        protected void expired(boolean blocked, long ageNanos) {
            if (clusterRule != null) {
                clusterRule.answered(topic, permit);
            }
            if (closing || (clusterRule != null && !clusterRule.failed(topic))) {
                breaker.recordIgnored(permit);
                return;
            }
            breaker.recordFailure(permit, blocked
                    ? "send() blocked for " + ageNanos / 1_000_000 + " ms (" + blockThresholdText + ")"
                    : "no acknowledgement for " + ageNanos / 1_000_000 + " ms (" + inFlightThresholdText + ")");
        }
    }

    /** Runs the watchdog's checks now; for tests that drive a {@code ManualClock}. */
    void checkNow() {
        tracker.run();
        breaker.checkTimeouts();
    }

    /** Closes the delegate (waiting as long as it does), then publishes held status events for up to 5 s. */
    @Override
    public void close() {
        closing = true;
        try {
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
        closing = true;
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        try {
            delegate().close(timeout);
        } finally {
            release(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    private void release(Duration left) {
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
