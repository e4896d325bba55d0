package io.breakwater.interceptors;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Subscription;
import io.breakwater.interceptors.internal.ObservedBreakers;
import io.breakwater.interceptors.internal.SendTracker;
import io.breakwater.interceptors.internal.Watchdog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Producer} that puts a circuit breaker in front of any other: the fail-fast front door.
 *
 * <ul>
 *   <li>Each {@code send} asks the breaker first. Refused, it fails at once without touching the delegate:
 *       the future fails with {@link CircuitBreakerOpenException} and the callback gets it too. So callers
 *       never block for {@code max.block.ms} while the cluster is down.</li>
 *   <li>Both error paths are recorded: an exception thrown by the delegate's {@code send} and a failure
 *       reported through its future and callback. The caller sees exactly what the delegate produced.</li>
 *   <li>The outage is noticed in about a second, not at {@code delivery.timeout.ms}: a watchdog counts a
 *       {@code send} that blocks longer than the block threshold (default 1 s), and a record unanswered
 *       longer than the in-flight threshold (default 2 s), as one failure each.</li>
 *   <li>Failures are classified by a {@link FailureClassifier}: a caller's error reaches the caller and
 *       does not count.</li>
 *   <li>Every other method delegates, transactions included.</li>
 * </ul>
 *
 * <p>Delivery stays at-least-once: a record whose send timed out may still have been written (a frozen
 * broker that resumes writes what it had); never retry it as if it were lost for sure.
 */
public final class CircuitBreakerProducer<K, V> implements Producer<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreakerProducer.class);

    private final Producer<K, V> delegate;
    private final CircuitBreaker breaker;
    private final FailureClassifier classifier;
    private final Clock clock;
    private final boolean recordOutcomes;
    private final SendTracker tracker;
    private final AutoCloseable watchdog;
    private final StatusPublisher ownedPublisher;
    private final boolean clusterWideOnly;
    private final long silenceNanos;
    // When a send last succeeded; written on acknowledgements only in cluster-wide mode.
    private volatile long lastSuccessNanos;
    private final Subscription statusSubscription;

    private CircuitBreakerProducer(Builder<K, V> b) {
        this.delegate = b.delegate;
        this.breaker = b.breaker;
        this.classifier = b.classifier;
        this.clock = b.clock != null ? b.clock : breaker.config().clock();
        this.recordOutcomes = b.recordOutcomes != null ? b.recordOutcomes : !ObservedBreakers.isObserved(breaker);
        if (!recordOutcomes) {
            LOG.info("Breaker '{}' is observed by an interceptor; this wrapper only enforces it", breaker.name());
        }
        this.clusterWideOnly = b.clusterWideOnly;
        this.silenceNanos = b.inFlightThreshold.toNanos();
        this.lastSuccessNanos = clock.nanoTime();
        this.tracker = new SendTracker(breaker, clock, b.sendBlockThreshold, b.inFlightThreshold,
                BreakwaterConfig.SEND_BLOCK_THRESHOLD_MS_CONFIG, BreakwaterConfig.IN_FLIGHT_THRESHOLD_MS_CONFIG,
                this::clusterSilent, SendTracker.DEFAULT_CAPACITY);
        this.watchdog = recordOutcomes && b.watchdog ? Watchdog.register(tracker) : () -> { };
        this.ownedPublisher = b.ownedPublisher;
        this.statusSubscription = b.publisher != null ? b.publisher.attach(breaker) : () -> { };
    }

    /** Wraps {@code delegate} with {@code breaker} and the default thresholds and classifier. */
    public static <K, V> CircuitBreakerProducer<K, V> wrap(Producer<K, V> delegate, CircuitBreaker breaker) {
        return builder(delegate).breaker(breaker).build();
    }

    /**
     * Wraps {@code delegate} as the {@code breakwater.*} keys of {@code config} say (usually the producer's
     * own properties): the breaker comes from the global registry by {@code breakwater.breaker.name}, and
     * its transitions go to the status topic unless {@code breakwater.status.enabled=false}.
     *
     * @throws org.apache.kafka.common.config.ConfigException for an unknown or invalid {@code breakwater.*} key
     */
    public static <K, V> CircuitBreakerProducer<K, V> wrap(Producer<K, V> delegate, Map<String, ?> config) {
        BreakwaterConfig bw = new BreakwaterConfig(config);
        Builder<K, V> builder = builder(delegate)
                .breaker(CircuitBreakerRegistry.global().getOrCreate(bw.breakerName(), bw.toBreakerConfig()))
                .sendBlockThreshold(bw.sendBlockThreshold())
                .inFlightThreshold(bw.inFlightThreshold());
        if (bw.statusEnabled()) {
            StatusPublisher publisher = StatusPublisher.forProducer(config, bw);
            builder.statusPublisher(publisher);
            builder.ownedPublisher = publisher;
        }
        return builder.build();
    }

    public static <K, V> Builder<K, V> builder(Producer<K, V> delegate) {
        return new Builder<>(delegate);
    }

    /** The breaker that guards this producer. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** The wrapped producer. */
    public Producer<K, V> delegate() {
        return delegate;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record) {
        return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
        if (!breaker.canExecute()) {
            return reject(record, callback);
        }
        if (!recordOutcomes) {
            return delegate.send(record, callback);
        }
        long start = clock.nanoTime();
        long ticket = tracker.begin(start);
        Future<RecordMetadata> future;
        try {
            future = delegate.send(record, new OutcomeCallback(callback, ticket, start));
        } catch (RuntimeException e) {
            if (tracker.answer(ticket, start)) {
                record(e, clock.nanoTime() - start);
            }
            throw e;
        }
        tracker.sendReturned(ticket, start);
        return future;
    }

    private Future<RecordMetadata> reject(ProducerRecord<K, V> record, Callback callback) {
        CircuitBreakerOpenException e = breaker.openException();
        if (callback != null) {
            TopicPartition tp = new TopicPartition(record == null ? "" : record.topic(),
                    record == null || record.partition() == null ? RecordMetadata.UNKNOWN_PARTITION : record.partition());
            callback.onCompletion(new RecordMetadata(tp, -1, -1, -1L, -1, -1), e);
        }
        return CompletableFuture.failedFuture(e);
    }

    /** In cluster-wide mode: true when no send has succeeded for the in-flight threshold. Always true otherwise. */
    private boolean clusterSilent() {
        return !clusterWideOnly || clock.nanoTime() - lastSuccessNanos >= silenceNanos;
    }

    private void record(Throwable failure, long elapsedNanos) {
        if (classifier.countsAsFailure(failure) && clusterSilent()) {
            breaker.recordFailure(failure, elapsedNanos);
        } else {
            breaker.recordIgnored();
        }
    }

    /** Records the outcome, then hands it to the caller's callback unchanged. */
    private final class OutcomeCallback implements Callback {
        private final Callback user;
        private final long ticket;
        private final long start;

        OutcomeCallback(Callback user, long ticket, long start) {
            this.user = user;
            this.ticket = ticket;
            this.start = start;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (tracker.answer(ticket, start)) {
                long elapsed = clock.nanoTime() - start;
                if (exception == null) {
                    if (clusterWideOnly) {
                        lastSuccessNanos = clock.nanoTime();
                    }
                    breaker.recordSuccess(elapsed);
                } else {
                    record(exception, elapsed);
                }
            }
            if (user != null) {
                user.onCompletion(metadata, exception);
            }
        }
    }

    /** Runs the watchdog's checks now; for tests that drive a {@code ManualClock}. */
    void checkNow() {
        tracker.run();
    }

    @Override
    public void initTransactions() {
        delegate.initTransactions();
    }

    @Override
    public void beginTransaction() {
        delegate.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
        delegate.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void commitTransaction() {
        delegate.commitTransaction();
    }

    @Override
    public void abortTransaction() {
        delegate.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
        return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        try {
            delegate.close();
        } finally {
            release();
        }
    }

    @Override
    public void close(Duration timeout) {
        try {
            delegate.close(timeout);
        } finally {
            release();
        }
    }

    private void release() {
        try {
            watchdog.close();
        } catch (Exception e) {
            LOG.debug("watchdog release failed", e);
        }
        statusSubscription.close();
        if (ownedPublisher != null) {
            ownedPublisher.close();
        }
    }

    @Override
    public String toString() {
        return "CircuitBreakerProducer[" + breaker + ", " + delegate + "]";
    }

    /** Options of a {@link CircuitBreakerProducer}. */
    public static final class Builder<K, V> {
        private final Producer<K, V> delegate;
        private CircuitBreaker breaker;
        private FailureClassifier classifier = FailureClassifier.kafkaDefault();
        private Duration sendBlockThreshold = Duration.ofSeconds(1);
        private Duration inFlightThreshold = Duration.ofSeconds(2);
        private Clock clock;
        private Boolean recordOutcomes;
        private boolean watchdog = true;
        private boolean clusterWideOnly;
        private StatusPublisher publisher;
        private StatusPublisher ownedPublisher;

        private Builder(Producer<K, V> delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        /** The breaker (required); share one by name through a {@code CircuitBreakerRegistry}. */
        public Builder<K, V> breaker(CircuitBreaker breaker) {
            this.breaker = Objects.requireNonNull(breaker, "breaker");
            return this;
        }

        public Builder<K, V> classifier(FailureClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /** A {@code send()} blocked longer than this counts as a failure (default 1 s). */
        public Builder<K, V> sendBlockThreshold(Duration threshold) {
            this.sendBlockThreshold = positive("sendBlockThreshold", threshold);
            return this;
        }

        /** A record unanswered longer than this counts as a failure (default 2 s). */
        public Builder<K, V> inFlightThreshold(Duration threshold) {
            this.inFlightThreshold = positive("inFlightThreshold", threshold);
            return this;
        }

        /** The clock of send durations (default: the breaker's). */
        public Builder<K, V> clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Whether this wrapper records outcomes (default: yes, unless an interceptor in this JVM already
         * records for the same breaker, in which case the wrapper only enforces).
         */
        public Builder<K, V> recordOutcomes(boolean record) {
            this.recordOutcomes = record;
            return this;
        }

        /**
         * For a producer shared by many streams: a failure counts only while no send at all has succeeded
         * within the in-flight threshold, so one stream's trouble (a partition without a leader, a topic
         * without rights) never opens the shared breaker; a cluster that answers nobody does.
         */
        public Builder<K, V> clusterWideOnly(boolean clusterWideOnly) {
            this.clusterWideOnly = clusterWideOnly;
            return this;
        }

        /** Whether the shared watchdog thread checks this producer (default true; tests may drive it by hand). */
        public Builder<K, V> watchdog(boolean enabled) {
            this.watchdog = enabled;
            return this;
        }

        /** Publishes the breaker's transitions through {@code publisher} (which the caller closes). */
        public Builder<K, V> statusPublisher(StatusPublisher publisher) {
            this.publisher = Objects.requireNonNull(publisher, "publisher");
            return this;
        }

        public CircuitBreakerProducer<K, V> build() {
            if (breaker == null) {
                throw new IllegalStateException("a breaker is required: builder(delegate).breaker(breaker)");
            }
            return new CircuitBreakerProducer<>(this);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, but was " + d);
            }
            return d;
        }
    }
}
