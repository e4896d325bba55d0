package io.breakwater.spill.internal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a store gets its connection for each transaction. Called only under the store's lock, so one
 * transaction at a time. Connections come with auto-commit off.
 */
public abstract class Connections {

    /** Opens a connection. */
    @FunctionalInterface
    public interface Opener {
        /** A new connection. */
        Connection open() throws SQLException;
    }

    Connections() {
    }

    /**
     * One connection, opened on first use and kept; after a failed transaction it is closed (unless a wrapper such as
     * {@link #watchingFile} keeps it), and the next transaction opens a new one, so a store recovers once its database
     * is back.
     */
    public static Connections held(Opener opener) {
        return new Held(Objects.requireNonNull(opener, "opener"));
    }

    /** A connection from the data source for each transaction, closed (given back to its pool) after it. */
    public static Connections borrowed(DataSource dataSource) {
        return new Borrowed(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /**
     * {@code inner}'s connections, each told to wait for the database's answer at most {@code timeout} per request
     * (JDBC's network timeout), set for each transaction and set back after it (a pool need not reset it, and a borrowed
     * connection's next user would find its own queries cut short at that timeout): a database
     * that stops answering without closing the connection (a network partition) fails a transaction after that long
     * instead of holding the store, and every append behind it, until the operating system gives up on the connection.
     * A driver that cannot set it is logged once and used as it is.
     */
    public static Connections withNetworkTimeout(Connections inner, Duration timeout) {
        return new NetworkTimeout(Objects.requireNonNull(inner, "inner"), Math.toIntExact(timeout.toMillis()));
    }

    /**
     * {@code inner}'s connection to the SQLite file {@code file}, whose appends are refused once the file it opened was
     * deleted or replaced ({@link #checkWritable()}): SQLite in WAL mode with an exclusive lock would go on writing
     * to the unlinked file, and a restart would find none of it. Reads and removes go on, so what is held can still be
     * replayed while the store stays open.
     */
    public static Connections watchingFile(Connections inner, Path file) {
        return new FileWatch(Objects.requireNonNull(inner, "inner"), Objects.requireNonNull(file, "file"));
    }

    abstract Connection acquire() throws SQLException;

    /** Before a write that must survive a restart, under the store's lock: throws when it would not. */
    void checkWritable() throws SQLException {
    }

    /** After such a write's commit, under the store's lock: throws when it will not survive one. */
    void checkWritten() throws SQLException {
        checkWritable();
    }

    /** Gives back a connection; {@code failed} when its transaction failed. */
    abstract void release(Connection connection, boolean failed);

    /** Closes what this holds, never the data source. */
    abstract void close() throws SQLException;

    private static final class Held extends Connections {

        private final Opener opener;
        private Connection connection;

        Held(Opener opener) {
            this.opener = opener;
        }

        @Override
        Connection acquire() throws SQLException {
            if (connection == null) {
                Connection opened = opener.open();
                try {
                    opened.setAutoCommit(false);
                } catch (SQLException | RuntimeException e) {
                    closeQuietly(opened);
                    throw e;
                }
                connection = opened;
            }
            return connection;
        }

        @Override
        void release(Connection released, boolean failed) {
            if (failed) {
                connection = null;
                closeQuietly(released);
            }
        }

        @Override
        void close() throws SQLException {
            Connection closing = connection;
            connection = null;
            if (closing != null) {
                closing.close();
            }
        }
    }

    private static final class Borrowed extends Connections {

        private final DataSource dataSource;

        // The auto-commit the connection of the transaction under way had when borrowed; one transaction at a time.
        private boolean wasAutoCommit = true;

        Borrowed(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        @Override
        Connection acquire() throws SQLException {
            Connection connection = dataSource.getConnection();
            try {
                wasAutoCommit = connection.getAutoCommit();
                connection.setAutoCommit(false);
            } catch (SQLException | RuntimeException e) {
                closeQuietly(connection);
                throw e;
            }
            return connection;
        }

        @Override
        void release(Connection connection, boolean failed) {
            try {
                connection.setAutoCommit(wasAutoCommit);   // as the pool gave it: its default need not be on
            } catch (SQLException | RuntimeException e) {
                // The pool checks the connection when it comes back.
            }
            closeQuietly(connection);
        }

        @Override
        void close() {
        }
    }

    private static final class NetworkTimeout extends Connections {

        private static final Logger LOG = LoggerFactory.getLogger(Connections.class);
        private final Connections inner;
        private final int millis;
        // Whether the driver refused it once.
        private boolean unsupported;
        // The timeout the connection of the transaction under way had before (-1: none set); one transaction at a time.
        private int previous = -1;

        NetworkTimeout(Connections inner, int millis) {
            this.inner = inner;
            this.millis = millis;
        }

        @Override
        Connection acquire() throws SQLException {
            Connection connection = inner.acquire();
            if (!unsupported) {
                try {
                    // The executor runs the driver's abort once the timeout passes; none is needed beyond the caller.
                    int before = timeoutOf(connection);
                    connection.setNetworkTimeout(Runnable::run, millis);
                    previous = before;
                } catch (SQLFeatureNotSupportedException | AbstractMethodError e) {
                    unsupported = true;
                    LOG.info("The JDBC driver of {} sets no network timeout: a database that stops answering holds the "
                            + "spill until the connection fails", connection.getClass().getName());
                } catch (SQLException | RuntimeException e) {
                    inner.release(connection, true);
                    throw e;
                }
            }
            return connection;
        }

        /** The connection's network timeout now, or -1 when the driver does not say (it is then not set back). */
        private static int timeoutOf(Connection connection) {
            try {
                return connection.getNetworkTimeout();
            } catch (SQLException | RuntimeException | AbstractMethodError e) {
                return -1;
            }
        }

        @Override
        void checkWritable() throws SQLException {
            inner.checkWritable();
        }

        @Override
        void checkWritten() throws SQLException {
            inner.checkWritten();
        }

        @Override
        void release(Connection connection, boolean failed) {
            if (previous >= 0 && previous != millis) {
                try {
                    connection.setNetworkTimeout(Runnable::run, previous);
                } catch (SQLException | RuntimeException | AbstractMethodError e) {
                    // A connection that failed may refuse; the pool checks it when it comes back.
                }
            }
            previous = -1;
            inner.release(connection, failed);
        }

        @Override
        void close() throws SQLException {
            inner.close();
        }
    }

    static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            // Already failed, or going away: nothing more to learn from it.
        }
    }
}
