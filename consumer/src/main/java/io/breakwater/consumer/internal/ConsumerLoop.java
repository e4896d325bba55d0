package io.breakwater.consumer.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.Throwables;
import io.breakwater.consumer.ConsumerStats;
import io.breakwater.consumer.ConsumerStats.State;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop of a gated consumer: each round asks the gate whether to hold (and pauses or resumes every assigned
 * partition accordingly), polls, walks what came through the handler, and commits what was handled. It polls in
 * every round, paused or not, so the consumer stays in its group. Every call on the Kafka consumer is made on the
 * loop's thread (the thread that runs {@link #runOnce()}); other threads only set {@link #stop()} and read
 * {@link #stats()}. It never calls {@code wakeup()}.
 */
public final class ConsumerLoop<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger("io.breakwater.consumer.GatedConsumer");

    private final LoopSettings<K, V> settings;
    private final Consumer<K, V> consumer;
    private final CircuitBreaker breaker;
    private final Gate gate;
    private final Ledger ledger = new Ledger();
    private final HandlerWatch watch;
    private final LoopCounters counters;
    private final Walks<K, V> walks;
    // Set by any thread to end the loop after the record in progress.
    private volatile boolean stopping;
    // Loop thread only: whether the gate's pause is applied to the consumer; whether a failed commit was logged.
    private boolean paused;
    private boolean commitWarned;
    private Subscription transitions;

    public ConsumerLoop(LoopSettings<K, V> settings) {
        this.settings = settings;
        this.consumer = settings.consumer();
        this.breaker = settings.breaker();
        this.gate = new Gate(breaker, settings.recordOutcomes(), settings.retryBackoff().toNanos());
        this.watch = new HandlerWatch(settings.name(), breaker, settings.handlerBlockThreshold(),
                settings.recordOutcomes());
        this.counters = new LoopCounters(settings.name(), breaker.name(), breaker.config().clock());
        RecordSteps<K, V> steps = new RecordSteps<>(settings, gate, ledger, watch, counters);
        this.walks = new Walks<>(settings, steps, gate, ledger, counters, () -> stopping);
    }

    public String name() {
        return settings.name();
    }

    /** Subscribes and starts watching the breaker and the handler; on the loop's thread, once. */
    public void start() {
        transitions = breaker.onTransition(gate::onTransition);
        watch.start();
        Rebalances listener = new Rebalances(this, settings.rebalanceListener());
        if (settings.topicPattern() != null) {
            consumer.subscribe(settings.topicPattern(), listener);
        } else {
            consumer.subscribe(settings.topics(), listener);
        }
        counters.state = State.RUNNING;
    }

    /** Asks the loop to end after the record in progress; any thread. */
    public void stop() {
        stopping = true;
    }

    public boolean stopping() {
        return stopping;
    }

    /** One round: hold or go on, poll, handle, commit. */
    public void runOnce() {
        applyGate(gate.holds());
        ConsumerRecords<K, V> polled = poll();
        counters.assigned = consumer.assignment().size();
        if (!polled.isEmpty()) {
            Round<K, V> round = new Round<>(polled, consumer, counters);
            if (paused) {
                round.seekBackFrom(0); // fetched before the pause reached them: they come again
            } else if (walks.walk(round)) {
                applyGate(true);
            }
        }
        commitAsync();
    }

    private ConsumerRecords<K, V> poll() {
        try {
            return consumer.poll(settings.pollTimeout());
        } catch (WakeupException e) {
            return ConsumerRecords.empty(); // not ours: this loop never calls wakeup(), and never lets it out
        } catch (RecordDeserializationException e) {
            LOG.error("Consumer '{}': record {}@{} cannot be deserialized and is dropped: {}", name(), e.topicPartition(),
                    e.offset(), Throwables.describe(e.getCause() == null ? e : e.getCause()));
            consumer.seek(e.topicPartition(), e.offset() + 1);
            ledger.skipped(e.topicPartition(), e.offset());   // committed past it, so that it is not met again
            counters.dropped++;
            return ConsumerRecords.empty();
        }
    }

    private void applyGate(boolean hold) {
        if (hold && !paused) {
            consumer.pause(consumer.assignment());
            paused = true;
            counters.pauseBegins();
            LOG.info("Consumer '{}' pauses its {} partition(s): breaker '{}' is {}", name(), consumer.assignment().size(),
                    breaker.name(), breaker.state());
        } else if (!hold && paused) {
            consumer.resume(consumer.paused());
            paused = false;
            counters.pauseEnds();
            LOG.info("Consumer '{}' resumes its {} partition(s): breaker '{}' is {}", name(), consumer.assignment().size(),
                    breaker.name(), breaker.state());
        }
        counters.paused = paused ? consumer.paused().size() : 0;
    }

    private void commitAsync() {
        Map<TopicPartition, OffsetAndMetadata> offsets = ledger.uncommitted();
        if (offsets.isEmpty()) {
            return;
        }
        ledger.committing(offsets);
        consumer.commitAsync(offsets, (done, error) -> {
            if (error == null) {
                commitWarned = false;
                return;
            }
            ledger.commitFailed(offsets);
            counters.commitFailures++;
            if (!commitWarned) {
                commitWarned = true;
                LOG.warn("Consumer '{}': committing {} failed; the next round commits again: {}", name(), offsets.keySet(),
                        Throwables.describe(error));
            }
        });
    }

    /**
     * Commits {@code offsets} (every offset handled, even one an asynchronous commit still in flight carries: that
     * commit may yet fail) and waits for it, at most the commit timeout.
     */
    private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, String why) {
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets, settings.commitTimeout());
            ledger.committing(offsets);
        } catch (RuntimeException e) {
            counters.commitFailures++;
            LOG.warn("Consumer '{}': committing {} ({}) failed; the records handled since the last commit will be delivered "
                    + "again: {}", name(), offsets, why, Throwables.describe(e));
        }
    }

    void revoked(Collection<TopicPartition> partitions) {
        commitSync(ledger.handledOffsets(partitions), "partitions revoked");
        ledger.forget(partitions);
    }

    void lost(Collection<TopicPartition> partitions) {
        ledger.forget(partitions);
    }

    void assigned(Collection<TopicPartition> partitions) {
        if (paused && !partitions.isEmpty()) {
            consumer.pause(partitions); // a rebalance clears the pause; these must wait like the others
            LOG.info("Consumer '{}' keeps {} newly assigned partition(s) paused: breaker '{}' is {}", name(),
                    partitions.size(), breaker.name(), breaker.state());
        }
        counters.paused = paused ? consumer.paused().size() : 0;
    }

    /**
     * Ends the loop on its thread: commits what was handled and waits for it (at most the commit timeout), then
     * closes the consumer within the same bound. {@code failure} is what ended the loop, or null after a stop.
     */
    public void finish(Throwable failure) {
        try {
            commitSync(ledger.handledOffsets(), "closing");
        } finally {
            try {
                ConsumerClose.close(consumer, settings.commitTimeout());
            } catch (RuntimeException e) {
                LOG.warn("Consumer '{}': closing the Kafka consumer failed", name(), e);
            }
            if (transitions != null) {
                transitions.close();
            }
            watch.stop();
            counters.pauseEnds();
            counters.paused = 0;
            counters.state = failure == null ? State.CLOSED : State.FAILED;
        }
    }

    public ConsumerStats stats() {
        return counters.snapshot();
    }
}
