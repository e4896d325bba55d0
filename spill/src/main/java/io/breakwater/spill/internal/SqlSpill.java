package io.breakwater.spill.internal;

import io.breakwater.spill.SpillFullException;
import io.breakwater.spill.SpillStats;
import io.breakwater.spill.SpillStore;
import io.breakwater.spill.SpilledEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SpillStore} on a SQL table: one transaction at a time under one lock, and what the table holds
 * counted in memory ({@link Holdings}), loaded at open and swapped after each commit, so that stats, streams
 * and the full check read no table. After a write fails, the counts are loaded again before the next write:
 * a commit whose answer was lost may have happened. {@code SqliteSpillStore} and {@code JdbcSpillStore} are
 * this with their own connections and schema.
 */
public final class SqlSpill implements SpillStore {

    private static final Logger LOG = LoggerFactory.getLogger(SpillStore.class);

    private final Connections connections;
    private final Table table;
    private final boolean textHoldsNul;
    private final Failures failures;
    private final long maxEvents;
    private final long maxBytes;
    // One transaction at a time: guards the connections, and every write of the three fields below.
    private final ReentrantLock lock = new ReentrantLock();
    // What the table holds as of the last commit; read without the lock.
    private volatile Holdings holdings = Holdings.EMPTY;
    private volatile boolean closed;
    // Whether a write failed since the counts were loaded (read and written under the lock).
    private boolean stale;

    private SqlSpill(Connections connections, Schema schema, Failures failures, long maxEvents, long maxBytes) {
        this.connections = connections;
        this.table = new Table(schema.table());
        this.textHoldsNul = schema.textHoldsNul();
        this.failures = failures;
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
    }

    /**
     * Creates what the schema lacks, loads the counts and logs what the store holds.
     *
     * @param store     the store as {@link #describe()} shows it
     * @param redaction the secrets no message may show
     * @throws io.breakwater.spill.SpillException when it cannot; the connections are closed then
     */
    public static SqlSpill open(Connections connections, Schema schema, String store, Redaction redaction,
                                long maxEvents, long maxBytes) {
        SqlSpill spill = new SqlSpill(connections, schema, new Failures(store, redaction), maxEvents, maxBytes);
        spill.lock.lock();
        try {
            spill.holdings = spill.transaction(c -> {
                schema.create(c);
                return spill.table.load(c);
            });
        } catch (SQLException e) {
            spill.close();
            throw spill.failures.of("open", e);
        } catch (RuntimeException | Error e) {
            spill.close();
            throw e;
        } finally {
            spill.lock.unlock();
        }
        Holdings held = spill.holdings;
        LOG.info("Spill {} opened: it holds {} event(s) of {} bytes in {} stream(s)", store, held.events(), held.bytes(),
                held.perStream().size());
        return spill;
    }

    @Override
    public List<SpilledEvent> append(List<SpilledEvent> events) {
        long bytes = Batches.checked(events, textHoldsNul, describe());
        String action = "append " + events.size() + " event(s)";
        lock.lock();
        try {
            ensureOpen();
            if (events.isEmpty()) {
                return List.of();
            }
            Holdings held = current(action);
            if (held.events() + events.size() > maxEvents) {
                throw new SpillFullException(describe(), "maxEvents", maxEvents, held.stats(), events.size(), bytes);
            }
            if (held.bytes() + bytes > maxBytes) {
                throw new SpillFullException(describe(), "maxBytes", maxBytes, held.stats(), events.size(), bytes);
            }
            try {
                connections.checkWritable();
            } catch (SQLException e) {
                throw failures.of(action, e); // nothing was tried: the counts stand
            }
            List<SpilledEvent> stored;
            try {
                stored = transaction(c -> table.insert(c, events));
            } catch (SQLException e) {
                throw Failures.isUniqueViolation(e) ? alreadyHeld(events, action, e) : failedWrite(action, e);
            }
            try {
                connections.checkWritten(); // moved during the append, it went where no restart finds it
            } catch (SQLException moved) {
                throw undone(stored, action, moved);
            }
            holdings = held.plus(stored, bytes);
            return stored;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<SpilledEvent> oldest(String stream, int max) {
        Objects.requireNonNull(stream, "stream");
        if (max <= 0) {
            throw new IllegalArgumentException("max must be > 0, but was " + max);
        }
        lock.lock();
        try {
            ensureOpen();
            if (!stale && !holdings.holds(stream)) {
                return List.of();
            }
            return transaction(c -> table.oldest(c, stream, max));
        } catch (SQLException e) {
            throw failures.of("read the oldest events of stream " + stream, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void remove(List<SpilledEvent> events) {
        Objects.requireNonNull(events, "events");
        List<Long> sequences = events.stream().map(e -> Objects.requireNonNull(e, "events holds null").sequence())
                .filter(s -> s > 0).distinct().toList();
        String action = "remove " + sequences.size() + " event(s)";
        lock.lock();
        try {
            ensureOpen();
            if (sequences.isEmpty()) {
                return;
            }
            Holdings held = current(action);
            try {
                holdings = transaction(c -> {
                    Holdings left = held.minus(table.delete(c, sequences));
                    return left.oldest() == Holdings.UNKNOWN ? left.withOldest(table.oldestSpilledAt(c)) : left;
                });
            } catch (SQLException e) {
                throw failedWrite(action, e);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long highestOrder(String stream) {
        Objects.requireNonNull(stream, "stream");
        ensureOpen();
        return holdings.highestOrder(stream);
    }

    @Override
    public Set<String> streams() {
        ensureOpen();
        return holdings.streams();
    }

    @Override
    public long events(String stream) {
        Objects.requireNonNull(stream, "stream");
        ensureOpen();
        return holdings.events(stream);
    }

    @Override
    public SpillStats stats() {
        ensureOpen();
        return holdings.stats();
    }

    @Override
    public long maxEvents() {
        return maxEvents;
    }

    @Override
    public long maxBytes() {
        return maxBytes;
    }

    @Override
    public String describe() {
        return failures.store();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            connections.close();
        } catch (SQLException e) {
            LOG.warn("{}", failures.of("close its connection", e).getMessage());
        } finally {
            lock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw failures.closed();
        }
    }

    // The counts, loaded again first if a write failed since they were.
    private Holdings current(String action) {
        if (stale) {
            try {
                holdings = transaction(table::load);
                stale = false;
            } catch (SQLException e) {
                throw failures.of(action, e);
            }
        }
        return holdings;
    }

    private RuntimeException failedWrite(String action, SQLException e) {
        stale = true;
        return failures.of(action, e);
    }

    // An append committed to a file deleted or replaced meanwhile is taken out again, so that none of what is reported
    // failed is replayed; should that fail too, the counts are loaded again before the next write.
    private RuntimeException undone(List<SpilledEvent> stored, String action, SQLException moved) {
        try {
            transaction(c -> table.delete(c, stored.stream().map(SpilledEvent::sequence).toList()));
        } catch (SQLException e) {
            stale = true;
            moved.addSuppressed(e);
        }
        return failures.of(action, moved);
    }

    // A unique violation: which eventIds are held already? Nothing was appended.
    private RuntimeException alreadyHeld(List<SpilledEvent> events, String action, SQLException violation) {
        List<String> held;
        try {
            held = transaction(c -> table.held(c, events.stream().map(SpilledEvent::eventId).toList()));
        } catch (SQLException e) {
            return failures.of(action, violation);
        }
        if (held.isEmpty()) {
            return failures.of(action, violation);
        }
        return new IllegalArgumentException("Spill " + describe() + " holds " + held.size() + " of these events already, "
                + "such as eventId " + held.get(0) + "; an event is appended once. Nothing was appended");
    }

    private <T> T transaction(Work<T> work) throws SQLException {
        Connection connection = connections.acquire();
        boolean committed = false;
        try {
            T result = work.run(connection);
            connection.commit();
            committed = true;
            return result;
        } finally {
            if (!committed) {
                try {
                    connection.rollback();
                } catch (SQLException | RuntimeException e) {
                    // Released as failed below: dropped unless it still works (see Connections).
                }
            }
            connections.release(connection, !committed);
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }
}
