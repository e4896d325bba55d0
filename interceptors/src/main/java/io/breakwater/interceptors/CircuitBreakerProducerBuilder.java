package io.breakwater.interceptors;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Clock;
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

    /** A {@code send()} blocked longer than this counts as a failure (default 1 s). */
    public CircuitBreakerProducerBuilder<K, V> sendBlockThreshold(Duration threshold) {
        this.sendBlockThreshold = positive("sendBlockThreshold", threshold);
        return this;
    }

    /** A record unanswered longer than this counts as a failure (default 2 s). */
    public CircuitBreakerProducerBuilder<K, V> inFlightThreshold(Duration threshold) {
        this.inFlightThreshold = positive("inFlightThreshold", threshold);
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

    /** The wrapper; it owns the delegate from now on (closing it closes the delegate). */
    public CircuitBreakerProducer<K, V> build() {
        if (breaker == null) {
            throw new IllegalStateException("a breaker is required: builder(delegate).breaker(breaker)");
        }
        return factory.apply(this);
    }

    private static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, but was " + d);
        }
        return d;
    }
}
