package io.breakwater.it;

import io.breakwater.jdbc.CircuitBreakerOpenSqlException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * One caller thread, as an application drives a database: every 20 ms it takes a connection, inserts the next
 * key (from 1) into {@code table}, and gives the connection back. It counts what happened to each call.
 */
final class DatabaseCaller implements AutoCloseable {

    static final Duration PACE = Duration.ofMillis(20);

    private final DataSource db;
    private final String table;
    private final Thread thread;
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean running = true;
    private long next = 1;

    DatabaseCaller(DataSource db, String table) {
        this.db = db;
        this.table = table;
        this.thread = new Thread(this::loop, "database-caller");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            try (Connection c = db.getConnection();
                 PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (k, v) VALUES (?, 'row')")) {
                insert.setLong(1, next);
                insert.executeUpdate();
                next++;
                succeeded.incrementAndGet();
            } catch (CircuitBreakerOpenSqlException e) {
                refused.incrementAndGet();
            } catch (SQLException e) {
                failed.incrementAndGet();
            }
            LockSupport.parkNanos(PACE.toNanos());
        }
    }

    long succeeded() {
        return succeeded.get();
    }

    long refused() {
        return refused.get();
    }

    long failed() {
        return failed.get();
    }

    /** Stops the loop and waits for the call in progress (at most 30 s: let the database answer first). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
        if (thread.isAlive()) {
            throw new IllegalStateException("the database caller is still blocked after 30 s");
        }
    }
}
