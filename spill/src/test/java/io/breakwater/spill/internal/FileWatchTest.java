package io.breakwater.spill.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/** The connection a SQLite store holds, when its file is deleted or replaced under it, and when it is not. */
class FileWatchTest {

    @TempDir
    Path dir;

    private Path file;
    private final AtomicInteger opens = new AtomicInteger();
    private Connections watch;

    @BeforeEach
    void open() throws Exception {
        file = dir.resolve("spill.db");
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setLockingMode(SQLiteConfig.LockingMode.EXCLUSIVE);
        watch = Connections.watchingFile(Connections.held(() -> {
            opens.incrementAndGet();
            return config.createConnection("jdbc:sqlite:" + file);
        }), file);
        Connection connection = watch.acquire();
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE t (x INTEGER)");
            statement.execute("INSERT INTO t VALUES (1)");
        }
        connection.commit();
        watch.release(connection, false);
    }

    @AfterEach
    void close() throws SQLException {
        watch.close();
    }

    private static int read(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery("SELECT x FROM t")) {
            row.next();
            return row.getInt(1);
        }
    }

    /**
     * A failed transaction on a file in place keeps the connection, and with it the file's exclusive lock: closing it
     * would let another store open the file, and replay what this one holds, until this one's next transaction.
     */
    @Test
    void aFailedTransactionOnAFileInPlaceKeepsItsConnectionAndTheFilesLock() throws Exception {
        Connection first = watch.acquire();
        try (Statement statement = first.createStatement()) {
            statement.execute("INSERT INTO t VALUES (2)");
        }
        first.rollback();
        watch.release(first, true);

        SQLiteConfig other = new SQLiteConfig();
        other.setBusyTimeout(0);
        try (Connection intruder = other.createConnection("jdbc:sqlite:" + file)) {
            assertThatThrownBy(() -> read(intruder)).as("another connection to the file, while the store holds it")
                    .isInstanceOf(SQLException.class).hasMessageContaining("locked");
        }
        Connection second = watch.acquire();
        assertThat(second).isSameAs(first);
        assertThat(opens).hasValue(1);
        assertThat(read(second)).as("the failed transaction's row rolled back").isEqualTo(1);
        try (Statement statement = second.createStatement()) {
            statement.execute("INSERT INTO t VALUES (3)");
        }
        second.commit();
        watch.checkWritable();
        watch.release(second, false);
    }

    /**
     * A real failure: the database is full (a page limit stands in for a full disk). The connection is kept, with the
     * file's lock, and once there is room again it writes, in a transaction of its own.
     */
    @Test
    void aFullDatabaseKeepsTheConnectionAndItWritesOnceThereIsRoom() throws Exception {
        Connection connection = watch.acquire();
        long pages;
        try (Statement statement = connection.createStatement(); ResultSet count = statement.executeQuery("PRAGMA page_count")) {
            count.next();
            pages = count.getLong(1);
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA max_page_count = " + pages);
            assertThatThrownBy(() -> statement.execute("INSERT INTO t VALUES (zeroblob(1000000))"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("full");
        }
        assertThatThrownBy(connection::rollback).as("SQLite ended the transaction itself; the store's rollback finds none")
                .isInstanceOf(SQLException.class);
        watch.release(connection, true);

        SQLiteConfig other = new SQLiteConfig();
        other.setBusyTimeout(0);
        try (Connection intruder = other.createConnection("jdbc:sqlite:" + file)) {
            assertThatThrownBy(() -> read(intruder)).isInstanceOf(SQLException.class).hasMessageContaining("locked");
        }
        Connection again = watch.acquire();
        assertThat(again).isSameAs(connection);
        try (Statement statement = again.createStatement()) {
            statement.execute("PRAGMA max_page_count = 1000000");
            statement.execute("INSERT INTO t VALUES (4)");
        }
        again.rollback();   // a transaction was open (else the driver throws): what the insert did goes
        try (Statement statement = again.createStatement(); ResultSet rows = statement.executeQuery("SELECT count(*) FROM t")) {
            rows.next();
            assertThat(rows.getInt(1)).as("only the first row").isEqualTo(1);
        }
        try (Statement statement = again.createStatement()) {
            statement.execute("INSERT INTO t VALUES (5)");
        }
        again.commit();
        watch.release(again, false);
        assertThat(opens).hasValue(1);
    }

    @Test
    void aFailedTransactionWhoseConnectionBrokeOpensANewOneThatMayWrite() throws Exception {
        Connection first = watch.acquire();
        first.close();
        watch.release(first, true);

        Connection second = watch.acquire();
        assertThat(second).isNotSameAs(first);
        assertThat(opens).hasValue(2);
        assertThat(read(second)).isEqualTo(1);
        watch.checkWritable(); // a new connection starts a new write-ahead log: no false alarm
        try (Statement statement = second.createStatement()) {
            statement.execute("INSERT INTO t VALUES (2)");
        }
        second.commit();
        watch.checkWritable();
        watch.release(second, false);
    }

    @Test
    void aFailedTransactionOnADeletedFileKeepsTheConnectionToWhatItHolds() throws Exception {
        Connection connection = watch.acquire();
        watch.release(connection, false);
        watch.checkWritable();
        Files.delete(file);

        assertThatThrownBy(watch::checkWritable).isInstanceOf(SQLException.class)
                .hasMessageStartingWith("the file was deleted or replaced while the store had it open, so an append "
                        + "would not survive a restart");
        Connection again = watch.acquire();
        watch.release(again, true);
        Connection kept = watch.acquire();

        assertThat(kept).isSameAs(connection);
        assertThat(opens).hasValue(1);
        assertThat(read(kept)).isEqualTo(1);
        watch.release(kept, false);
    }

    @Test
    void onceTheConnectionToADeletedFileIsGoneNoneIsOpenedToAnEmptyOne() throws Exception {
        Files.delete(file);
        watch.close();

        assertThatThrownBy(watch::acquire).isInstanceOf(SQLException.class)
                .hasMessage("the file was deleted or replaced while the store had it open, and the store's connection "
                        + "to it was lost: the events it held are gone. Close the store and open it again to start a new "
                        + "file (or to open the one now at its path)");
        assertThat(file).doesNotExist();
        assertThat(opens).hasValue(1);
    }

    /**
     * A new connection's first commit makes its log, whose key is taken once the commit is done: a log deleted in between
     * is seen after the write, though never before it.
     */
    @Test
    void aLogDeletedDuringANewConnectionsFirstCommitIsSeenAfterTheWrite() throws Exception {
        Connection first = watch.acquire();
        first.close();
        watch.release(first, true); // broken, so dropped: the next connection starts a log of its own
        Connection second = watch.acquire();
        try (Statement statement = second.createStatement()) {
            statement.execute("INSERT INTO t VALUES (2)");
        }
        second.commit();
        Files.delete(Path.of(file + "-wal"));
        watch.release(second, false);

        watch.checkWritable(); // the log it never saw cannot be told from none
        assertThatThrownBy(watch::checkWritten).isInstanceOf(SQLException.class)
                .hasMessageStartingWith("the file was deleted or replaced while the store had it open, so an append "
                        + "would not survive a restart");
    }

    @Test
    void afterACommitWithItsLogInPlaceNothingIsSeen() throws Exception {
        Connection connection = watch.acquire();
        try (Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO t VALUES (3)");
        }
        connection.commit();
        watch.release(connection, false);

        watch.checkWritten();
        watch.checkWritable();
    }

    @Test
    void aConnectionNotInWalModeIsRefusedNamingTheMode() throws Exception {
        Path other = dir.resolve("rollback-journal.db");
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.DELETE);
        Connections plain = Connections.watchingFile(Connections.held(() -> config.createConnection("jdbc:sqlite:" + other)),
                other);
        try {
            assertThatThrownBy(plain::acquire).isInstanceOf(SQLException.class)
                    .hasMessage("SQLite did not put the file in WAL mode (journal_mode is delete), which the store needs; "
                            + "keep the spill on a local file system");
        } finally {
            plain.close();
        }
    }
}
