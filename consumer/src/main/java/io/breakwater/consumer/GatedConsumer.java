package io.breakwater.consumer;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.consumer.internal.ConsumerLoop;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka consumer loop gated by a circuit breaker: it handles each record (or each poll's batch) while the breaker
 * admits calls, and while it refuses, it stops consuming without losing its place or its group.
 *
 * <ul>
 *   <li><b>The breaker opens:</b> every assigned partition is paused, and each is sought back to its first record
 *   not handled, so records fetched but not handled are delivered again later. Offsets are committed only up to the
 *   last record handled. The loop goes on calling {@code poll} (every {@code pollTimeout}), so the consumer stays in
 *   its group: no rebalance, and {@code max.poll.interval.ms} is kept.</li>
 *   <li><b>HALF_OPEN:</b> the partitions are resumed and exactly as many trial records are handled as the breaker
 *   admits trial calls (in the observing mode, as the handler's resource admits); the rest are sought back. When
 *   the trials close the breaker, everything goes on; when one fails, everything pauses again.</li>
 *   <li><b>A rebalance while paused:</b> newly assigned partitions are paused at once (Kafka forgets the pause on a
 *   rebalance); revoked partitions commit what was handled of them, and nothing more.</li>
 *   <li><b>The handler's failures</b> are judged by the breaker's predicates (or {@code countsAsFailure}). One that
 *   counts leaves its record unhandled: its partition is sought back to it and it is tried again (other partitions
 *   go on); if it fails {@code maxAttempts} times in a row while the breaker makes no transition or others succeed
 *   (a poison record), or {@code 10 × maxAttempts} times in all across breaker cycles, it goes to the {@link
 *   FailedRecordHandler}. One that does not count (a caller's error) goes to the failed-record handler at once. An
 *   {@code Error} from the handler (other than a {@code StackOverflowError}, the record's own failure) ends the
 *   loop, like a fatal Kafka error. A {@link
 *   io.breakwater.breaker.CircuitBreakerOpenException} thrown by the handler (a guarded resource it called refused)
 *   never counts: the record is tried again after {@code retryBackoff}, with every partition paused meanwhile. So
 *   does a {@link io.breakwater.breaker.GuardClosedException} (a guarded DataSource closed before the consumer): the
 *   record is neither handed over nor committed past, and waits for the next run.</li>
 *   <li><b>A blocked handler:</b> a handler call that has not returned after {@code handlerBlockThreshold} counts as
 *   one failure while it is still blocked (seen by Breakwater's watchdog thread, as a blocked send is), and if the
 *   breaker has recorded no success since the call began it is a stall that opens the breaker at once. The loop
 *   cannot poll while its thread is in your handler: a handler blocked beyond Kafka's {@code max.poll.interval.ms}
 *   (default 5 min) makes Kafka drop the consumer from its group, and its partitions are handed to another member
 *   from the last commit (nothing is skipped; the blocked record may be handled twice). Give your handler's own I/O a
 *   timeout below that. A round hands records over for at most half of {@code max.poll.interval.ms} (Kafka's
 *   default assumed for a consumer passed in); the rest is sought back and comes after the next poll.</li>
 * </ul>
 *
 * <p><b>Two modes.</b> By default ({@code recordOutcomes(true)}) the loop is the breaker's recorder: it asks a permit
 * for each record (for each batch in CLOSED) and reports each outcome with it. When what the handler calls already
 * records into the same breaker (a guarded {@code DataSource}, a guarded producer), use {@code recordOutcomes(false)}:
 * the loop then only reads the breaker's state, lets records through in HALF_OPEN one handler call at a time (the
 * resource's own trial permits are the limit: its refusal backs the loop off until the breaker moves), and counts
 * no blocked handler into the breaker (it logs it).
 *
 * <p><b>Threads.</b> Kafka's consumer is not thread-safe, so every call on it is made on the loop's thread: the
 * thread that calls {@link #run()}, or the one {@link #start()} starts. Breaker transitions come on other threads;
 * the loop only notes them and acts on its own thread, at the latest one {@code pollTimeout} later. It never calls
 * {@code wakeup()}, so no {@code WakeupException} can reach you. {@link #close(Duration)}, {@link #stats()} and
 * {@link #failure()} are safe on any thread. Delivery is at-least-once: a record handled but not yet committed when
 * the consumer dies, or loses its partition, is delivered again.
 *
 * <p>The loop owns the Kafka consumer: it subscribes it, and closes it when it ends. A consumer passed in must have
 * {@code enable.auto.commit=false} (Kafka's auto-commit would commit what was fetched, not what was handled);
 * {@link #builder(Map, Deserializer, Deserializer, CircuitBreaker)} checks and sets it.
 */
public final class GatedConsumer<K, V> implements Runnable, AutoCloseable {

    /** How long {@link #close()} waits for the loop to commit and end. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(GatedConsumer.class);
    private static final Object CLOSED = new Object();

    private final ConsumerLoop<K, V> loop;
    private final CircuitBreaker breaker;
    // null until the loop runs (then its thread), or CLOSED when closed before it ever ran.
    private final AtomicReference<Object> owner = new AtomicReference<>();
    private final AtomicBoolean finishing = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    // Whether the owner thread is inside run(): close() on that thread then cannot wait for the loop.
    private volatile boolean inRun;
    private volatile Throwable failure;

    GatedConsumer(ConsumerLoop<K, V> loop, CircuitBreaker breaker) {
        this.loop = loop;
        this.breaker = breaker;
    }

    /**
     * A builder for a loop over {@code consumer} (any {@link Consumer}, with {@code enable.auto.commit=false}) gated
     * by {@code breaker}. The loop takes the consumer over: it subscribes it and closes it.
     */
    public static <K, V> GatedConsumerBuilder<K, V> builder(Consumer<K, V> consumer, CircuitBreaker breaker) {
        return new GatedConsumerBuilder<>(Objects.requireNonNull(consumer, "consumer"), null, null, null,
                Objects.requireNonNull(breaker, "breaker"));
    }

    /**
     * A builder for a loop over a new {@code KafkaConsumer} made from {@code properties} when {@link
     * GatedConsumerBuilder#build()} is called: {@code group.id} is required, {@code enable.auto.commit} must not be
     * true and is set to false.
     */
    public static <K, V> GatedConsumerBuilder<K, V> builder(Map<String, ?> properties, Deserializer<K> keyDeserializer,
                                                           Deserializer<V> valueDeserializer, CircuitBreaker breaker) {
        return new GatedConsumerBuilder<>(null, Objects.requireNonNull(properties, "properties"),
                Objects.requireNonNull(keyDeserializer, "keyDeserializer"),
                Objects.requireNonNull(valueDeserializer, "valueDeserializer"), Objects.requireNonNull(breaker, "breaker"));
    }

    /**
     * Runs the loop on the calling thread until {@link #close} is called, then commits what was handled and closes
     * the consumer. An error the loop cannot handle (Kafka's fatal errors, such as missing rights) ends it the same
     * way and is thrown on, as is an {@code Error} from the handler (a class that cannot load after a bad deploy,
     * say: handing every record over would lose them all); interrupting the thread ends it like a close (the
     * interrupt flag is kept).
     *
     * @throws IllegalStateException when the loop runs already, ran before, or was closed
     */
    @Override
    public void run() {
        claim(Thread.currentThread());
        Throwable error = loopUntilStopped();
        if (error instanceof RuntimeException e) {
            throw e;
        }
        if (error instanceof Error e) {
            throw e;
        }
    }

    /**
     * Runs the loop on a new daemon thread, {@code breakwater-consumer-<name>}. An error that ends it is logged and
     * kept ({@link #failure()}).
     *
     * @throws IllegalStateException when the loop runs already, ran before, or was closed
     */
    public GatedConsumer<K, V> start() {
        Thread thread = new Thread(() -> {
            Throwable error = loopUntilStopped();
            if (error != null) {
                LOG.error("Consumer '{}' stopped on an error; what it handled is committed", name(), error);
            }
        }, "breakwater-consumer-" + name());
        thread.setDaemon(true);
        claim(thread);
        thread.start();
        return this;
    }

    private void claim(Thread thread) {
        if (!owner.compareAndSet(null, thread)) {
            Object current = owner.get();
            throw new IllegalStateException("GatedConsumer '" + name() + "' " + (current == CLOSED ? "is closed"
                    : "runs (or ran) already on thread " + ((Thread) current).getName() + ": run() and start() may be called once"));
        }
    }

    private Throwable loopUntilStopped() {
        inRun = true;
        Throwable error = null;
        boolean interrupted = false;
        try {
            loop.start();
            while (!loop.stopping() && !Thread.currentThread().isInterrupted()) {
                loop.runOnce();
            }
            interrupted = Thread.interrupted(); // cleared, so that the closing commit can still wait; set again below
        } catch (InterruptException e) {
            interrupted = true;
            Thread.interrupted();
        } catch (Throwable e) {
            error = e;
            failure = e;
        } finally {
            finish(error);
            inRun = false;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return error;
    }

    /** One round of the loop, on the calling thread (which becomes the loop's): for tests that step the loop by hand. */
    void runOnce() {
        Thread me = Thread.currentThread();
        if (owner.get() != me) {
            claim(me);
            loop.start();
        }
        loop.runOnce();
    }

    private void finish(Throwable error) {
        if (finishing.compareAndSet(false, true)) {
            try {
                loop.finish(error);
            } finally {
                finished.countDown();
            }
        }
    }

    /** Closes within {@link #DEFAULT_CLOSE_TIMEOUT}; see {@link #close(Duration)}. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Ends the loop after the record in progress, commits what was handled (waiting for it at most the commit
     * timeout) and closes the consumer; waits for all that at most {@code timeout}. Returns whether the loop had ended
     * by then: false when the loop is still busy (in the handler, a poll or the last commit: it then commits and closes
     * when that returns), or when
     * called from the handler itself (which cannot wait for its own loop). A loop that never ran just closes its
     * consumer. Closing again does nothing more.
     *
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    public boolean close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0, but was " + timeout);
        }
        if (owner.compareAndSet(null, CLOSED)) {
            finish(null);
            return true;
        }
        loop.stop();
        Object current = owner.get();
        if (current == Thread.currentThread()) {
            if (inRun) {
                return false;
            }
            finish(null); // stepped by hand on this thread
            return true;
        }
        try {
            if (finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        LOG.warn("Consumer '{}' has not ended within {}: its loop is still busy (in the handler, a poll or the last commit); "
                + "it commits and closes when that returns", name(), timeout);
        return false;
    }

    /** The loop's figures now: state, paused partitions, time paused, records handled, re-delivered, failed, dropped. */
    public ConsumerStats stats() {
        return loop.stats();
    }

    /** What ended the loop, if an error did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    public String name() {
        return loop.name();
    }

    /** The breaker that gates the loop. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    @Override
    public String toString() {
        return "GatedConsumer[" + name() + ", breaker " + breaker.name() + ", " + stats().state() + "]";
    }
}
