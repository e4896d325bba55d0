package io.breakwater.chaos;

import io.breakwater.breaker.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * One way of publishing that a run drives: an EventBus, a wrapped producer, a plain producer with the
 * interceptor. Each writes to a topic of its own. Implementations are thread-safe.
 */
interface Workload extends AutoCloseable {

    /** The header that carries an event's id on every workload's records. */
    String ID_HEADER = "chaos-id";

    /** One event: its unique id, its key, and its place among the events of that key (0, 1, ...). */
    record Event(String id, String key, long seq) {
        /** The record value: {@code id key seq}. */
        String value() {
            return id + " " + key + " " + seq;
        }
    }

    /** {@code bus-spill}, {@code wrapper-blocking}, ... */
    String name();

    /** {@code chaos-} and the name. */
    default String topic() {
        return "chaos-" + name();
    }

    /**
     * Publishes {@code event}. {@code done} hears its outcome, at most once, maybe before this returns; if this
     * throws, the exception is the outcome instead (unless {@code done} heard one first).
     */
    void send(Event event, Consumer<Outcome> done) throws Exception;

    /** The breakers that guard this workload. */
    List<CircuitBreaker> breakers();

    /** Events waiting in a spill to be replayed; 0 without one. */
    long spillPending();

    /** Closes, waiting up to {@code timeout} for what is in flight. */
    void close(Duration timeout);

    @Override
    default void close() {
        close(Duration.ofSeconds(10));
    }
}
