package io.breakwater.consumer;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.consumer.internal.ConsumerLoop;
import io.breakwater.consumer.internal.LoopSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link GatedConsumer}. Required: the topics (or a pattern) and one handler. Every value is checked at
 * {@link #build()}, and every problem reported at once in one {@link IllegalArgumentException}; a null argument
 * fails at once with a {@link NullPointerException} naming it. Not thread-safe; build on one thread.
 */
public final class GatedConsumerBuilder<K, V> {

    /** Default time a poll waits for records, and so the longest the loop takes to act on a transition. */
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
    /** Default time after which a handler call still running counts as a failure (as the producer guard's in-flight threshold). */
    public static final Duration DEFAULT_HANDLER_BLOCK_THRESHOLD = Duration.ofSeconds(2);
    /** Default bound of the commits that wait: on a revocation and on close. */
    public static final Duration DEFAULT_COMMIT_TIMEOUT = Duration.ofSeconds(10);
    /** Default pause after the handler itself was refused by a breaker. */
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);
    /** Default number of tries of one record before it goes to the failed-record handler (see {@link #maxAttempts}). */
    public static final int DEFAULT_MAX_ATTEMPTS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(GatedConsumer.class);
    private static final Duration MAX_POLL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MAX_DURATION = Duration.ofDays(1);
    private static final long DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;

    private final Consumer<K, V> consumer;
    private final Map<String, ?> properties;
    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    private final CircuitBreaker breaker;
    private String name;
    private List<String> topics;
    private Pattern topicPattern;
    private RecordHandler<K, V> recordHandler;
    private BatchHandler<K, V> batchHandler;
    private FailedRecordHandler<K, V> failedRecordHandler = FailedRecordHandler.logging();
    private boolean recordOutcomes = true;
    private Predicate<Throwable> countsAsFailure;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
    private Duration handlerBlockThreshold = DEFAULT_HANDLER_BLOCK_THRESHOLD;
    private Duration commitTimeout = DEFAULT_COMMIT_TIMEOUT;
    private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
    private ConsumerRebalanceListener rebalanceListener;

    GatedConsumerBuilder(Consumer<K, V> consumer, Map<String, ?> properties, Deserializer<K> keys, Deserializer<V> values,
                         CircuitBreaker breaker) {
        this.consumer = consumer;
        this.properties = properties;
        this.keys = keys;
        this.values = values;
        this.breaker = breaker;
        this.name = breaker.name();
    }

    /** The consumer's name, for logs, stats, metrics and its thread (default: the breaker's name). */
    public GatedConsumerBuilder<K, V> name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /** The topics to subscribe to. */
    public GatedConsumerBuilder<K, V> topics(String... topics) {
        return topics(Arrays.asList(Objects.requireNonNull(topics, "topics")));
    }

    /** The topics to subscribe to. */
    public GatedConsumerBuilder<K, V> topics(Collection<String> topics) {
        this.topics = new ArrayList<>(Objects.requireNonNull(topics, "topics"));
        return this;
    }

    /** A pattern of the topics to subscribe to, instead of a list. */
    public GatedConsumerBuilder<K, V> topicPattern(Pattern pattern) {
        this.topicPattern = Objects.requireNonNull(pattern, "pattern");
        return this;
    }

    /** Handles one record at a time. */
    public GatedConsumerBuilder<K, V> recordHandler(RecordHandler<K, V> handler) {
        this.recordHandler = Objects.requireNonNull(handler, "handler");
        return this;
    }

    /** Handles each poll's records as one batch, instead of one at a time. */
    public GatedConsumerBuilder<K, V> batchHandler(BatchHandler<K, V> handler) {
        this.batchHandler = Objects.requireNonNull(handler, "handler");
        return this;
    }

    /** Takes records that cannot be handled for their own sake (default {@link FailedRecordHandler#logging()}). */
    public GatedConsumerBuilder<K, V> failedRecordHandler(FailedRecordHandler<K, V> handler) {
        this.failedRecordHandler = Objects.requireNonNull(handler, "handler");
        return this;
    }

    /**
     * Whether the loop records each handler call's outcome into the breaker (default true). Set false when what the
     * handler calls records into the same breaker already (a guarded DataSource or producer): the loop then only
     * reads the breaker's state, so no outcome is counted twice and no trial permit is taken twice.
     */
    public GatedConsumerBuilder<K, V> recordOutcomes(boolean recordOutcomes) {
        this.recordOutcomes = recordOutcomes;
        return this;
    }

    /**
     * Which handler failures count against the breaker (so the record is tried again) rather than being the
     * record's own fault (so it goes to the failed-record handler). Default: the breaker's own predicates
     * ({@code CircuitBreakerConfig.isRecordedFailure}).
     */
    public GatedConsumerBuilder<K, V> countsAsFailure(Predicate<Throwable> predicate) {
        this.countsAsFailure = Objects.requireNonNull(predicate, "predicate");
        return this;
    }

    /**
     * Tries of one record, failed in a row while the breaker made no transition, before it goes to the failed-record
     * handler (default 10); also the tries the failed-record handler gets before the record is dropped. Keep it at
     * least the failures in a row that open the breaker ({@code failureThreshold}, or with a failure rate
     * {@code minimumCalls} if fewer): below it, a record whose resource is down can fail that many times before the
     * breaker opens and be handed over as if it were poison ({@link #build()} warns).
     */
    public GatedConsumerBuilder<K, V> maxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
        return this;
    }

    /** How long each poll waits for records (default 100 ms, at most 30 s). */
    public GatedConsumerBuilder<K, V> pollTimeout(Duration timeout) {
        this.pollTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /** How long a handler call may run before it counts as a failure, while still running (default 2 s). */
    public GatedConsumerBuilder<K, V> handlerBlockThreshold(Duration threshold) {
        this.handlerBlockThreshold = Objects.requireNonNull(threshold, "threshold");
        return this;
    }

    /** How long a commit that the loop waits for may take: on a revocation, and on close (default 10 s). */
    public GatedConsumerBuilder<K, V> commitTimeout(Duration timeout) {
        this.commitTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /** How long the loop pauses after the handler was refused by a breaker it called (default 1 s). */
    public GatedConsumerBuilder<K, V> retryBackoff(Duration backoff) {
        this.retryBackoff = Objects.requireNonNull(backoff, "backoff");
        return this;
    }

    /** A listener of your own, told of every rebalance after the loop has acted on it; what it throws is logged. */
    public GatedConsumerBuilder<K, V> rebalanceListener(ConsumerRebalanceListener listener) {
        this.rebalanceListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * The consumer, not running yet ({@link GatedConsumer#run()} or {@link GatedConsumer#start()}).
     *
     * @throws IllegalArgumentException naming every problem of the settings (or the consumer properties)
     */
    public GatedConsumer<K, V> build() {
        List<String> problems = new ArrayList<>();
        check(problems);
        Map<String, Object> props = properties == null ? null : ConsumerProperties.checked(properties, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid gated consumer '" + name + "': " + String.join("; ", problems));
        }
        warnOfFewAttempts();
        Consumer<K, V> kafka = consumer != null ? consumer : new KafkaConsumer<>(props, keys, values);
        Predicate<Throwable> counts = countsAsFailure != null ? countsAsFailure : breaker.config()::isRecordedFailure;
        try {
            LoopSettings<K, V> settings = new LoopSettings<>(name, kafka, breaker, topics == null ? null : List.copyOf(topics),
                    topicPattern, recordHandler, batchHandler, failedRecordHandler, recordOutcomes, counts, maxAttempts,
                    pollTimeout, handlerBlockThreshold, commitTimeout, retryBackoff, rebalanceListener,
                    ConsumerProperties.maxPollInterval(props).dividedBy(2));
            return new GatedConsumer<>(new ConsumerLoop<>(settings), breaker);
        } catch (RuntimeException | Error e) {
            if (consumer == null) {   // made here, and no loop will close it
                try {
                    kafka.close(Duration.ZERO);
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    // The fewest failures in a row that open the breaker: its failureThreshold, or with a failure rate its minimumCalls
    // if fewer (from an empty window). A record that fails fewer times than that is handed over before it opens.
    private void warnOfFewAttempts() {
        CircuitBreakerConfig config = breaker.config();
        int opensAfter = config.failureThreshold();
        String setting = "failureThreshold";
        if (config.failureRateThreshold().isPresent() && config.minimumCalls() < opensAfter) {
            opensAfter = config.minimumCalls();
            setting = "minimumCalls, with its failure rate";
        }
        if (maxAttempts < opensAfter) {
            LOG.warn("Consumer '{}': maxAttempts ({}) is below the failures in a row that open its breaker ({}: {}): "
                    + "while the resource is down, a record can fail {} times in a row before the breaker opens, and then "
                    + "goes to the failed-record handler as if it were poison. Set maxAttempts to {} or more", name,
                    maxAttempts, setting, opensAfter, maxAttempts, opensAfter);
        }
    }

    private void check(List<String> problems) {
        if (name.isBlank()) {
            problems.add("name must not be blank");
        }
        if (recordHandler == null && batchHandler == null) {
            problems.add("a handler is required: set recordHandler or batchHandler");
        } else if (recordHandler != null && batchHandler != null) {
            problems.add("recordHandler and batchHandler exclude each other: set one");
        }
        if (topics == null && topicPattern == null) {
            problems.add("topics or topicPattern is required");
        } else if (topics != null && topicPattern != null) {
            problems.add("topics and topicPattern exclude each other: set one");
        } else if (topics != null && topics.isEmpty()) {
            problems.add("topics must not be empty");
        } else if (topics != null && topics.stream().anyMatch(t -> t == null || t.isBlank())) {
            problems.add("topics must not contain a null or blank name, but was " + topics);
        }
        if (maxAttempts < 1) {
            problems.add("maxAttempts must be >= 1, but was " + maxAttempts);
        }
        if (pollTimeout.isNegative() || pollTimeout.isZero() || pollTimeout.compareTo(MAX_POLL_TIMEOUT) > 0) {
            problems.add("pollTimeout must be in (0, 30 s], but was " + pollTimeout);
        }
        upToADay(problems, "handlerBlockThreshold", handlerBlockThreshold);
        upToADay(problems, "commitTimeout", commitTimeout);
        upToADay(problems, "retryBackoff", retryBackoff);
    }

    // Above a day is no real setting, and Long.MAX_VALUE milliseconds ("never") would overflow the loop's nanosecond
    // deadlines.
    private static void upToADay(List<String> problems, String field, Duration value) {
        if (value.isNegative() || value.isZero() || value.compareTo(MAX_DURATION) > 0) {
            problems.add(field + " must be in (0, 1 day], but was " + value);
        }
    }

    /** The checks of consumer properties for a KafkaConsumer that the loop makes itself. */
    private static final class ConsumerProperties {
        static Map<String, Object> checked(Map<String, ?> properties, List<String> problems) {
            Map<String, Object> props = new HashMap<>(properties);
            Object group = props.get(ConsumerConfig.GROUP_ID_CONFIG);
            if (group == null || group.toString().isBlank()) {
                problems.add("consumer property group.id is required: the loop commits what it handled for its group");
            }
            Object autoCommit = props.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
            if (autoCommit != null && !"false".equalsIgnoreCase(autoCommit.toString().trim())) {
                problems.add("consumer property enable.auto.commit must be false (the loop commits only what it handled), "
                        + "but was " + autoCommit);
            }
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            return props;
        }

        /** {@code max.poll.interval.ms} of {@code props} (checked by Kafka), or Kafka's default: 5 minutes. */
        static Duration maxPollInterval(Map<String, Object> props) {
            Object value = props == null ? null : props.get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
            try {
                return Duration.ofMillis(value == null ? DEFAULT_MAX_POLL_INTERVAL_MS : Long.parseLong(value.toString().trim()));
            } catch (NumberFormatException e) {
                return Duration.ofMillis(DEFAULT_MAX_POLL_INTERVAL_MS); // Kafka refuses it when it builds the consumer
            }
        }
    }
}
