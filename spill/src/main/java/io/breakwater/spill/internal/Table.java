package io.breakwater.spill.internal;

import io.breakwater.spill.SpilledEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The statements a store runs on its table, the same in SQLite and PostgreSQL. Many rows go in one statement
 * (a multi-row INSERT, a DELETE of a list of sequences), {@value #CHUNK} at a time, well under both databases'
 * limits on parameters. Each method runs inside the caller's transaction.
 */
final class Table {

    static final int CHUNK = 500;
    private static final String COLUMNS = "event_id, stream, topic, event_key, payload, headers, ordering, spilled_at_ms, "
            + "size_bytes";
    private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final String name;
    private final String selectOldest;

    Table(String name) {
        this.name = name;
        this.selectOldest = "SELECT sequence, event_id, stream, topic, event_key, payload, headers, ordering, spilled_at_ms "
                + "FROM " + name + " WHERE stream = ? ORDER BY ordering, sequence LIMIT ?";
    }

    /** Inserts the events; returns them with their sequences, in the order given. */
    List<SpilledEvent> insert(Connection connection, List<SpilledEvent> events) throws SQLException {
        Map<String, Long> sequences = new HashMap<>(events.size() * 2);
        for (List<SpilledEvent> chunk : chunks(events)) {
            String sql = "INSERT INTO " + name + " (" + COLUMNS + ") VALUES "
                    + String.join(", ", Collections.nCopies(chunk.size(), ROW)) + " RETURNING sequence, event_id";
            try (PreparedStatement insert = connection.prepareStatement(sql)) {
                int p = 0;
                for (SpilledEvent e : chunk) {
                    insert.setString(++p, e.eventId());
                    insert.setString(++p, e.stream());
                    insert.setString(++p, e.topic());
                    if (e.key() == null) {
                        insert.setNull(++p, Types.VARCHAR);
                    } else {
                        insert.setString(++p, e.key());
                    }
                    insert.setBytes(++p, e.payload());
                    insert.setString(++p, HeadersJson.write(e.headers()));
                    insert.setLong(++p, e.order());
                    insert.setLong(++p, e.spilledAtMillis());
                    insert.setLong(++p, e.sizeBytes());
                }
                try (ResultSet rows = insert.executeQuery()) {
                    while (rows.next()) {
                        sequences.put(rows.getString(2), rows.getLong(1));
                    }
                }
            }
        }
        List<SpilledEvent> stored = new ArrayList<>(events.size());
        for (SpilledEvent e : events) {
            Long sequence = sequences.get(e.eventId());
            if (sequence == null) {
                throw new SQLException("the database returned no sequence for event " + e.eventId());
            }
            stored.add(e.withSequence(sequence));
        }
        return stored;
    }

    /** Up to max events of the stream, by order, then sequence. */
    List<SpilledEvent> oldest(Connection connection, String stream, int max) throws SQLException {
        List<SpilledEvent> events = new ArrayList<>(Math.min(max, CHUNK));
        try (PreparedStatement select = connection.prepareStatement(selectOldest)) {
            select.setString(1, stream);
            select.setInt(2, max);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    events.add(read(row));
                }
            }
        }
        return events;
    }

    private static SpilledEvent read(ResultSet row) throws SQLException {
        long sequence = row.getLong(1);
        try {
            return new SpilledEvent(sequence, row.getString(2), row.getString(3), row.getString(4), row.getString(5),
                    row.getBytes(6), HeadersJson.read(row.getString(7)), row.getLong(8), row.getLong(9));
        } catch (RuntimeException e) {
            throw new SQLException("the event of sequence " + sequence + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Deletes the events of these sequences, those it holds; says what went. */
    Holdings.Removed delete(Connection connection, List<Long> sequences) throws SQLException {
        long events = 0;
        long bytes = 0;
        long oldest = Long.MAX_VALUE;
        Map<String, Long> perStream = new HashMap<>();
        for (List<Long> chunk : chunks(sequences)) {
            String sql = "DELETE FROM " + name + " WHERE sequence IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?"))
                    + ") RETURNING stream, size_bytes, spilled_at_ms";
            try (PreparedStatement delete = connection.prepareStatement(sql)) {
                for (int i = 0; i < chunk.size(); i++) {
                    delete.setLong(i + 1, chunk.get(i));
                }
                try (ResultSet row = delete.executeQuery()) {
                    while (row.next()) {
                        events++;
                        perStream.merge(row.getString(1), 1L, Long::sum);
                        bytes += row.getLong(2);
                        oldest = Math.min(oldest, row.getLong(3));
                    }
                }
            }
        }
        return new Holdings.Removed(events, bytes, oldest, perStream);
    }

    /** What the table holds, counted. */
    Holdings load(Connection connection) throws SQLException {
        long events = 0;
        long bytes = 0;
        Map<String, Holdings.Stream> perStream = new HashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT stream, count(*), sum(size_bytes), max(ordering) FROM " + name
                     + " GROUP BY stream")) {
            while (row.next()) {
                perStream.put(row.getString(1), new Holdings.Stream(row.getLong(2), row.getLong(4)));
                events += row.getLong(2);
                bytes += row.getLong(3);
            }
        }
        return new Holdings(events, bytes, events == 0 ? -1 : oldestSpilledAt(connection), perStream);
    }

    /** The smallest spilledAtMillis held (through the index on it), or -1. */
    long oldestSpilledAt(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT min(spilled_at_ms) FROM " + name)) {
            row.next();
            long oldest = row.getLong(1);
            return row.wasNull() ? -1 : oldest;
        }
    }

    /** Which of these event ids the table holds. */
    List<String> held(Connection connection, List<String> eventIds) throws SQLException {
        List<String> held = new ArrayList<>();
        for (List<String> chunk : chunks(eventIds)) {
            String sql = "SELECT event_id FROM " + name + " WHERE event_id IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                for (int i = 0; i < chunk.size(); i++) {
                    select.setString(i + 1, chunk.get(i));
                }
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        held.add(row.getString(1));
                    }
                }
            }
        }
        return held;
    }

    private static <T> List<List<T>> chunks(List<T> items) {
        List<List<T>> chunks = new ArrayList<>((items.size() + CHUNK - 1) / CHUNK);
        for (int from = 0; from < items.size(); from += CHUNK) {
            chunks.add(items.subList(from, Math.min(items.size(), from + CHUNK)));
        }
        return chunks;
    }
}
