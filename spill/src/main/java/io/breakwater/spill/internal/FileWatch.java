package io.breakwater.spill.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * A held connection to a SQLite file, and which files it opened: the database's and its write-ahead log's (their file
 * keys, device and inode on Unix), taken when the connection opened and after its first commit (which makes the log). A write is refused once the path no longer leads to either
 * (on a platform without file keys: once the path leads to no file), since SQLite would go on writing to the unlinked
 * file. The connection is kept after a failed transaction while it still works: to the unlinked file, so that what
 * it holds can still be read; to the file in place, so that its exclusive lock stays (closed, another store could
 * take the file until the next transaction). Once it is gone, no other connection is opened (it would open an empty file, or another one). Checked before
 * an append and again after its commit (one that went to an unlinked file is taken out again and reported failed): two
 * to four stats per append, beside its fsync. Called under the store's lock only.
 */
final class FileWatch extends Connections {

    // Failures puts these after what could not be done.
    private static final String DELETED = "the file was deleted or replaced while the store had it open, so an append "
            + "would not survive a restart; the events held are still replayed while it stays open. Close the store "
            + "and open it again to start a new file (or to open the one now at its path)";
    private static final String GONE = "the file was deleted or replaced while the store had it open, and the store's "
            + "connection to it was lost: the events it held are gone. Close the store and open it again to start a new "
            + "file (or to open the one now at its path)";

    private final Connections inner;
    private final Path file;
    private final Path wal;
    // The database's key, from the first connection on and never changed; the log's, from the held connection's first
    // commit (null before, and once that connection is dropped: the next connection starts a log of its own).
    private Object fileKey;
    private Object walKey;
    // The connection held now; null before the first acquire and after it was dropped.
    private Connection opened;

    FileWatch(Connections inner, Path file) {
        this.inner = inner;
        this.file = file;
        this.wal = Path.of(file + "-wal");
    }

    @Override
    Connection acquire() throws SQLException {
        if (opened == null && fileKey != null && fileMoved()) {
            throw new SQLException(GONE); // a new connection would open what the path has now
        }
        Connection connection = inner.acquire();
        if (connection != opened) {
            try {
                requireWal(connection);
                if (fileKey == null) {
                    fileKey = keyOf(file);
                }
            } catch (IOException e) {
                inner.release(connection, true);
                throw new SQLException("cannot read the attributes of " + file + " (" + e + ")", e);
            } catch (SQLException | RuntimeException e) {
                inner.release(connection, true);
                throw e;
            }
            opened = connection;
        }
        return connection;
    }

    @Override
    void checkWritable() throws SQLException {
        if (fileKey != null && (fileMoved() || walMoved())) {
            throw new SQLException(opened == null ? GONE : DELETED);
        }
    }

    // After a commit in WAL mode the log is there while the connection is open: none means it was deleted during the
    // commit, or before it on a connection that had not committed yet (walKey null: read again, so that a failure to
    // read it is told as such).
    @Override
    void checkWritten() throws SQLException {
        if (fileKey != null && (fileMoved() || (walKey == null ? keyOrNull(wal) == null : walMoved()))) {
            throw new SQLException(opened == null ? GONE : DELETED);
        }
    }

    // What is watched is a write-ahead log, which SQLite may not have set up (a file system without the locks it needs).
    private static void requireWal(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet mode = statement.executeQuery("PRAGMA journal_mode")) {
            String journal = mode.next() ? mode.getString(1) : null;
            if (!"wal".equalsIgnoreCase(journal)) {
                throw new SQLException("SQLite did not put the file in WAL mode (journal_mode is " + journal + "), which "
                        + "the store needs; keep the spill on a local file system");
            }
        }
    }

    // Whether the path leads elsewhere than the database file first opened.
    private boolean fileMoved() throws SQLException {
        return !Objects.equals(fileKey, keyOrNull(file));
    }

    // Whether the log's path leads elsewhere than the log of the held connection (known once it committed).
    private boolean walMoved() throws SQLException {
        return walKey != null && !Objects.equals(walKey, keyOrNull(wal));
    }

    private static Object keyOrNull(Path path) throws SQLException {
        try {
            return keyOf(path);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new SQLException("cannot read the attributes of " + path + " (" + e + ")", e);
        }
    }

    // Where the platform gives no file key, only whether the file is there.
    private static Object keyOf(Path path) throws IOException {
        Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        return key != null ? key : Boolean.TRUE;
    }

    @Override
    void release(Connection connection, boolean failed) {
        boolean drop = failed;
        if (!failed && connection == opened && walKey == null) {
            try {
                walKey = keyOrNull(wal); // a commit in WAL mode made the log
            } catch (SQLException e) {
                // Taken after the next commit instead.
            }
        }
        if (failed && connection == opened) {
            // Kept while it works. A file moved: it is the only way left to what the unlinked file holds. A file in
            // place: closing it would give up the file's exclusive lock, and another store could take the file (and
            // replay what this one holds) until the next transaction.
            drop = !stillWorks(connection);
            if (drop) {
                opened = null;
                walKey = null; // closing the last connection ends its log; the next one starts another
            }
        }
        inner.release(connection, drop);
    }

    // Whether the connection can go on after its transaction failed, and is ready for the next one. SQLite ends a
    // transaction by itself on some errors (an I/O error, a full disk at commit), after which the driver's rollback finds
    // none and does not begin the next one, as it does after a commit: begun here, as the driver would.
    private static boolean stillWorks(Connection connection) {
        try {
            connection.rollback();
            return !connection.isClosed();
        } catch (SQLException | RuntimeException rollbackFailed) {
            try (Statement statement = connection.createStatement()) {
                // As the driver begins one in the store's transaction mode, DEFERRED (SqliteSpillStore sets none).
                // Fails, so the connection goes, if a transaction is still open.
                statement.execute("BEGIN");
                return true;
            } catch (SQLException | RuntimeException e) {
                return false;
            }
        }
    }

    @Override
    void close() throws SQLException {
        opened = null;
        walKey = null;
        inner.close();
    }
}
