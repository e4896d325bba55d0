package io.breakwater.status.internal;

import io.breakwater.breaker.Throwables;
import io.breakwater.status.StatusReader.State;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a compacted topic from its start and follows it, on a thread of its own, handing every record to a sink
 * (on that thread). It joins no consumer group and commits nothing. An unreachable cluster or a missing topic never
 * fails it: it retries with a backoff from 100 ms to 5 s until closed, and says where it stands through
 * {@link #state()} and {@link #lastError()}. It never creates the topic. A follower made with
 * {@code missingTopicIsEmpty} counts a topic that the cluster says does not exist as read (nothing in it), and reads
 * it from its start if it is created later.
 */
public final class TopicFollower {

    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final long BACKOFF_MIN_MILLIS = 100;
    private static final long BACKOFF_MAX_MILLIS = 5_000;

    private final String role;
    private final String topic;
    private final String clientId;
    private final Map<String, Object> consumerConfig;
    private final Consumer<ConsumerRecord<String, byte[]>> sink;
    private final long missingTopicRetryMillis;
    private final boolean missingTopicIsEmpty;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    // The next offset to read, per partition, as far as this follower got; follower thread only.
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final Object sleeper = new Object();
    private final Thread thread;
    private volatile State state = State.CONNECTING;
    private volatile String lastError = "no answer from the cluster yet";
    private volatile boolean closed;
    // Runs once, on the follower thread, when the topic is first found; set before start().
    private Runnable onTopicFound = () -> { };
    private boolean found;
    // The current consumer; created and used by the follower thread, woken up by close().
    private volatile KafkaConsumer<String, byte[]> consumer;

    /**
     * A follower of {@code topic}; {@code role} ("Status reader", "Control follower") names it in logs and
     * {@code clientIdPrefix} its consumer's client.id; a missing topic is looked for again every
     * {@code missingTopicRetry}. Call {@link #start()}.
     */
    public TopicFollower(String role, String clientIdPrefix, Map<String, Object> clientConfig, String topic,
                         Consumer<ConsumerRecord<String, byte[]>> sink, Duration missingTopicRetry) {
        this(role, clientIdPrefix, clientConfig, topic, sink, missingTopicRetry, false);
    }

    /** As above; with {@code missingTopicIsEmpty}, a topic the cluster says does not exist counts as read. */
    public TopicFollower(String role, String clientIdPrefix, Map<String, Object> clientConfig, String topic,
                         Consumer<ConsumerRecord<String, byte[]>> sink, Duration missingTopicRetry,
                         boolean missingTopicIsEmpty) {
        this.role = role;
        this.missingTopicIsEmpty = missingTopicIsEmpty;
        this.topic = topic;
        this.sink = sink;
        this.missingTopicRetryMillis = missingTopicRetry.toMillis();
        Map<String, Object> config = new HashMap<>(clientConfig);
        int id = THREADS.incrementAndGet();
        this.clientId = clientIdPrefix + "-" + id;
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A follower must never create its topic: the broker would make it with cleanup.policy=delete.
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.consumerConfig = Map.copyOf(config);
        this.consumer = new KafkaConsumer<>(consumerConfig);
        this.thread = new Thread(this::run, clientIdPrefix + "-" + id);
        thread.setDaemon(true);
    }

    /** Runs {@code check} once, on the follower's thread, when the topic is first found; call before {@link #start()}. */
    public TopicFollower onTopicFound(Runnable check) {
        this.onTopicFound = check;
        return this;
    }

    public TopicFollower start() {
        thread.start();
        return this;
    }

    private void run() {
        long backoff = BACKOFF_MIN_MILLIS;
        while (!closed) {
            try {
                follow();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                if (closed) {
                    break; // woken up by close()
                }
                boolean timeout = e instanceof TimeoutException;
                lastError = timeout ? "no answer from " + consumerConfig.get("bootstrap.servers") + " ("
                        + Throwables.describe(e) + ")" : Throwables.describe(e);
                state = timeout ? State.CONNECTING : state;
                LOG.debug("{} of {}: {}; retrying in {} ms", role, topic, lastError, backoff);
                recreateConsumerAfter(e);
                pause(backoff);
                backoff = Math.min(backoff * 2, BACKOFF_MAX_MILLIS);
                continue;
            }
            backoff = BACKOFF_MIN_MILLIS;
        }
        state = State.CLOSED;
        consumer.close(Duration.ZERO);
    }

    /** Finds the partitions, reads from the start, and follows; returns only when closed or the topic is missing. */
    private void follow() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(1));
        if (infos == null || infos.isEmpty()) {
            state = State.WAITING_FOR_TOPIC;
            lastError = "topic " + topic + " does not exist";
            if (missingTopicIsEmpty) {
                caughtUp.countDown(); // the cluster answered: nothing to read yet
            }
            pause(missingTopicRetryMillis);
            return;
        }
        if (!found) {
            found = true;
            try {
                onTopicFound.run();
            } catch (RuntimeException e) {
                LOG.debug("{} of {}: the check of the topic failed", role, topic, e);
            }
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (!consumer.assignment().equals(new HashSet<>(partitions))) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // A consumer made anew after a failure goes on from where the old one was: no replay.
            positions.forEach((partition, offset) -> {
                if (partitions.contains(partition)) {
                    consumer.seek(partition, offset);
                }
            });
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        state = caughtUp.getCount() == 0 ? State.LIVE : State.CATCHING_UP;
        lastError = null;
        while (!closed) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                sink.accept(record);
                positions.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
            }
            if (caughtUp.getCount() > 0 && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                state = State.LIVE;
                caughtUp.countDown();
            }
        }
    }

    private void recreateConsumerAfter(Throwable e) {
        if (e instanceof TimeoutException || closed) {
            return; // the consumer is fine; the cluster is not answering
        }
        LOG.warn("{} of {} restarts its consumer after: {}", role, topic, Throwables.describe(e));
        try {
            consumer.close(Duration.ZERO);
        } catch (RuntimeException closeError) {
            LOG.debug("closing the old consumer failed", closeError);
        }
        try {
            consumer = new KafkaConsumer<>(consumerConfig);
        } catch (RuntimeException createError) {
            // The closed consumer stays: the next round fails on it and tries again, after the backoff.
            LOG.warn("{} of {} could not make a new consumer ({}); trying again", role, topic,
                    Throwables.describe(createError));
        }
    }

    private void pause(long millis) {
        synchronized (sleeper) {
            if (!closed) {
                try {
                    sleeper.wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closed = true;
                }
            }
        }
    }

    /** Waits until what the topic held when it was first reached has been read; false if not within {@code timeout}. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether what the topic held when it was first reached has been read. */
    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    public State state() {
        return state;
    }

    public String lastError() {
        return lastError;
    }

    public String clientId() {
        return clientId;
    }

    /** Stops the follower, waiting up to 5 s for its thread. Idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
