package io.breakwater.spill.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

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
     * One connection, opened on first use and kept; after a failed transaction it is closed, and the next
     * transaction opens a new one, so a store recovers once its database is back.
     */
    public static Connections held(Opener opener) {
        return new Held(Objects.requireNonNull(opener, "opener"));
    }

    /** A connection from the data source for each transaction, closed (given back to its pool) after it. */
    public static Connections borrowed(DataSource dataSource) {
        return new Borrowed(Objects.requireNonNull(dataSource, "dataSource"));
    }

    abstract Connection acquire() throws SQLException;

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

        Borrowed(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        @Override
        Connection acquire() throws SQLException {
            Connection connection = dataSource.getConnection();
            try {
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
                connection.setAutoCommit(true);
            } catch (SQLException | RuntimeException e) {
                // The pool checks the connection when it comes back.
            }
            closeQuietly(connection);
        }

        @Override
        void close() {
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
