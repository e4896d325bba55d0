package io.breakwater.spill;

import java.util.List;
import java.util.Set;

/**
 * Where events wait, durably, while Kafka cannot take them, until they are replayed. The EventBus appends what
 * it cannot send, reads each stream's oldest events back in {@link SpilledEvent#order()} order, and removes
 * them once Kafka has them.
 *
 * <p>Every method is thread-safe: one thread may append while another reads and removes. Once the store is
 * closed, every method but {@link #close()}, {@link #describe()}, {@link #maxEvents()} and {@link #maxBytes()}
 * throws {@link IllegalStateException} naming the store. A store assumes it alone writes where it keeps its
 * events (one process, one store), and counts what it holds in memory. It belongs to one EventBus: the bus's replay is
 * the only remover of its events, and counts on that.
 *
 * <p>Implementations: {@link SqliteSpillStore} (a file, embedded) and {@link JdbcSpillStore} (a PostgreSQL table).
 */
public interface SpillStore extends AutoCloseable {

    /**
     * Appends the events durably, in one transaction: when it returns, they survive a kill of the process.
     * The sequences they carry are ignored.
     *
     * @return the events with the sequences the store gave them, in the order given
     * @throws SpillFullException       when they would not fit under {@link #maxEvents()} or {@link #maxBytes()};
     *                                  nothing is appended
     * @throws SpillException           when the store cannot write; the message names the store, never a password
     * @throws IllegalArgumentException when two events share an eventId, or an eventId is held already
     * @throws NullPointerException     when the list or one of its events is null
     */
    List<SpilledEvent> append(List<SpilledEvent> events);

    /**
     * Up to {@code max} events of {@code stream}, lowest {@link SpilledEvent#order()} first, and of those with
     * the same order, lowest sequence (the first appended) first; fewer only when the stream holds fewer (an EventBus
     * takes fewer for all the stream holds, and sets its count by them). Empty when the stream holds nothing.
     *
     * @throws IllegalArgumentException when max is not positive
     * @throws SpillException           when the store cannot read
     */
    List<SpilledEvent> oldest(String stream, int max);

    /**
     * Removes these events, found by {@link SpilledEvent#sequence()}; those the store does not hold are ignored.
     * Durable when it returns.
     *
     * @throws SpillException when the store cannot write
     */
    void remove(List<SpilledEvent> events);

    /**
     * The highest {@link SpilledEvent#order()} among the events of {@code stream} held, or a value above it (a store
     * may keep the highest it held until the stream holds none); {@link Long#MIN_VALUE} when it holds none. A publisher
     * that starts again gives its new events orders above it, so that they replay after the ones held whatever its
     * clock says (a clock set back across a restart, a host whose clock is behind). The SQL stores answer from
     * memory, counted as {@link #events(String)} is.
     *
     * @throws SpillException when the store cannot read
     */
    long highestOrder(String stream);

    /** The streams that hold at least one event. */
    Set<String> streams();

    /** The events of {@code stream} held; 0 when it holds none. */
    long events(String stream);

    /** The events held, their bytes, and when the oldest was spilled. */
    SpillStats stats();

    /** The most events the store holds. */
    long maxEvents();

    /** The most {@link SpilledEvent#sizeBytes()} the store holds, summed over its events. */
    long maxBytes();

    /**
     * Where the store is, for messages and health: {@code sqlite:/abs/path}, or the JDBC URL without
     * credentials.
     */
    String describe();

    /** Closes the store; closing it again does nothing. */
    @Override
    void close();
}
