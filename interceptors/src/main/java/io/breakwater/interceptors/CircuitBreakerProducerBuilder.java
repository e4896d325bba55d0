package io.breakwater.interceptors;

import io.breakwater.breaker.Timeouts;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Clock;
import io.breakwater.interceptors.internal.GuardSetup;
import io.breakwater.status.ControlFollower;
import io.breakwater.status.StatusPublisher;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;

/** Options of a {@link CircuitBreakerProducer}; from {@link CircuitBreakerProducer#builder(Producer)}. */
public final class CircuitBreakerProducerBuilder<K, V> {

    final Producer<K, V> delegate;
    private final Function<CircuitBreakerProducerBuilder<K, V>, CircuitBreakerProducer<K, V>> factory;
    CircuitBreaker breaker;
    FailureClassifier classifier = FailureClassifier.kafkaDefault();
    Duration sendBlockThreshold = Duration.ofSeconds(1);
    Duration inFlightThreshold = Duration.ofSeconds(2);
    String blockThresholdName = "sendBlockThreshold";
    String inFlightThresholdName = "inFlightThreshold";
    Clock clock;
    Boolean recordOutcomes;
    boolean watchdog = true;
    boolean clusterWideOnly;
    StatusPublisher publisher;
    StatusPublisher ownedPublisher;
    ControlFollower follower;
    ControlFollower ownedFollower;
    boolean nonBlocking;
    int sendQueueMaxRecords = BreakwaterConfig.SEND_QUEUE_MAX_RECORDS_DEFAULT;
    java.util.Map<String, ?> producerConfig;

    CircuitBreakerProducerBuilder(Producer<K, V> delegate,
                                  Function<CircuitBreakerProducerBuilder<K, V>, CircuitBreakerProducer<K, V>> factory) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.factory = factory;
    }

    /** The breaker (required); share one by name through a {@code CircuitBreakerRegistry}. */
    public CircuitBreakerProducerBuilder<K, V> breaker(CircuitBreaker breaker) {
        this.breaker = Objects.requireNonNull(breaker, "breaker");
        return this;
    }

    public CircuitBreakerProducerBuilder<K, V> classifier(FailureClassifier classifier) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        return this;
    }

    /**
     * A {@code send()} blocked longer than this, with no record sent before it acknowledged meanwhile, counts as a
     * failure (default 1 s).
     */
    public CircuitBreakerProducerBuilder<K, V> sendBlockThreshold(Duration threshold) {
        this.sendBlockThreshold = Timeouts.positive("sendBlockThreshold", threshold);
        return this;
    }

    /**
     * A record unanswered longer than this, with no record sent before it acknowledged meanwhile, counts as a failure
     * (default 2 s): records wait in line in Kafka's buffer, and a backlog the cluster works through is no failure.
     */
    public CircuitBreakerProducerBuilder<K, V> inFlightThreshold(Duration threshold) {
        this.inFlightThreshold = Timeouts.positive("inFlightThreshold", threshold);
        return this;
    }

    /** How the two thresholds are named in failure reasons (default: the builder's method names). */
    CircuitBreakerProducerBuilder<K, V> thresholdNames(String block, String inFlight) {
        this.blockThresholdName = block;
        this.inFlightThresholdName = inFlight;
        return this;
    }

    /** The clock of send durations (default: the breaker's). */
    public CircuitBreakerProducerBuilder<K, V> clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * Whether this wrapper records outcomes (default: yes, unless an interceptor in this JVM already
     * records for the same breaker, in which case the wrapper only enforces).
     */
    public CircuitBreakerProducerBuilder<K, V> recordOutcomes(boolean record) {
        this.recordOutcomes = record;
        return this;
    }

    /**
     * For a producer shared by many streams (topics): a failure counts only when the cluster answers
     * nobody, never because of one stream's trouble (a partition without a leader, a topic without rights),
     * and trial calls probe more than one topic. The rule is documented on {@code ClusterWideRule}: no
     * success anywhere within the in-flight threshold, and either one topic in use or two topics failing.
     */
    public CircuitBreakerProducerBuilder<K, V> clusterWideOnly(boolean clusterWideOnly) {
        this.clusterWideOnly = clusterWideOnly;
        return this;
    }

    /**
     * Non-blocking sends (default false: Kafka's own blocking {@code send()}): {@code send()} returns at once,
     * and one sender thread per producer hands records to the delegate in the callers' order. Records still
     * queued when the breaker opens fail with its {@code CircuitBreakerOpenException} and are never sent. Errors
     * that {@code send()} would throw (serialization, record too large) arrive through the future and the
     * callback instead. Transactions are not supported.
     */
    public CircuitBreakerProducerBuilder<K, V> nonBlocking(boolean nonBlocking) {
        this.nonBlocking = nonBlocking;
        return this;
    }

    /** Non-blocking mode: records that may wait for the sender thread (default 10,000); more fail at once. */
    public CircuitBreakerProducerBuilder<K, V> sendQueueMaxRecords(int records) {
        if (records < 1) {
            throw new IllegalArgumentException("sendQueueMaxRecords must be >= 1, but was " + records);
        }
        this.sendQueueMaxRecords = records;
        return this;
    }

    /**
     * The delegate's own properties, read only to name its principal (the {@code username} of
     * {@code sasl.jaas.config}, never a password) in the ERROR logged once when the cluster refuses its credentials.
     * Without them that log cannot name the principal. {@link CircuitBreakerProducer#wrap(Producer, java.util.Map)}
     * passes them.
     */
    public CircuitBreakerProducerBuilder<K, V> producerConfig(java.util.Map<String, ?> properties) {
        this.producerConfig = new java.util.HashMap<>(Objects.requireNonNull(properties, "properties"));
        return this;
    }

    /** Whether the watchdog thread checks this producer (default true; tests may drive it by hand). */
    public CircuitBreakerProducerBuilder<K, V> watchdog(boolean enabled) {
        this.watchdog = enabled;
        return this;
    }

    /** Publishes the breaker's transitions through {@code publisher} (which the caller closes). */
    public CircuitBreakerProducerBuilder<K, V> statusPublisher(StatusPublisher publisher) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        return this;
    }

    /** Makes the breaker follow operators' commands through {@code follower} (which the caller closes). */
    public CircuitBreakerProducerBuilder<K, V> controlFollower(ControlFollower follower) {
        this.follower = Objects.requireNonNull(follower, "follower");
        return this;
    }

    /** The wrapper; it owns the delegate from now on (closing it closes the delegate). */
    public CircuitBreakerProducer<K, V> build() {
        if (breaker == null) {
            throw new IllegalStateException("a breaker is required: builder(delegate).breaker(breaker)");
        }
        return factory.apply(this);
    }

    /** {@link CircuitBreakerProducer#wrap(Producer, java.util.Map)}: closes {@code delegate} if it fails. */
    static <K, V> CircuitBreakerProducer<K, V> fromConfig(Producer<K, V> delegate, java.util.Map<String, ?> config) {
        Objects.requireNonNull(delegate, "delegate");
        StatusPublisher publisher = null;
        ControlFollower follower = null;
        try {
            Objects.requireNonNull(config, "config");
            BreakwaterConfig bw = new BreakwaterConfig(config);
            CircuitBreakerProducerBuilder<K, V> builder = CircuitBreakerProducer.builder(delegate)
                    .breaker(GuardSetup.breaker(config, bw))
                    .producerConfig(config)
                    .sendBlockThreshold(bw.sendBlockThreshold())
                    .inFlightThreshold(bw.inFlightThreshold())
                    .recordOutcomes(!GuardSetup.installsTheInterceptor(config))
                    .nonBlocking(bw.sendNonBlocking())
                    .sendQueueMaxRecords(bw.sendQueueMaxRecords())
                    .thresholdNames(BreakwaterConfig.SEND_BLOCK_THRESHOLD_MS_CONFIG, BreakwaterConfig.IN_FLIGHT_THRESHOLD_MS_CONFIG);
            publisher = GuardSetup.publisher(config, bw);
            if (publisher != null) {
                builder.statusPublisher(publisher);
                builder.ownedPublisher = publisher;
            }
            follower = GuardSetup.follower(config, bw);
            if (follower != null) {
                builder.controlFollower(follower);
                builder.ownedFollower = follower;
            }
            CircuitBreakerProducer<K, V> wrapper = builder.build();
            if (follower != null) {
                GuardSetup.awaitRead(follower, wrapper.breaker(), bw);
            }
            return wrapper;
        } catch (Throwable e) {
            if (publisher != null) {
                publisher.close(Duration.ZERO);
            }
            if (follower != null) {
                follower.close();
            }
            try {
                delegate.close(Duration.ZERO);
            } catch (Throwable closeError) {
                e.addSuppressed(closeError);
            }
            throw e;
        }
    }
}
