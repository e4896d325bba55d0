package io.breakwater.spill;

import io.breakwater.spill.internal.Connections;
import io.breakwater.spill.internal.Redaction;
import io.breakwater.spill.internal.Schema;
import io.breakwater.spill.internal.SqlSpill;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.sqlite.SQLiteConfig;

/**
 * A spill in a SQLite file, embedded in the process: the default store. Open it on the file a process left
 * behind, after a crash or a restart, and its events are there to replay.
 *
 * <pre>{@code
 * try (SqliteSpillStore spill = SqliteSpillStore.open(Path.of("/var/lib/app/spill.db"))) { ... }
 * SqliteSpillStore.builder(path).maxEvents(100_000).maxBytes(256L << 20).open();
 * }</pre>
 *
 * <p>The file is in WAL mode with {@code synchronous=FULL}: an append is on disk (fsync'd) when it returns, a
 * batch in one transaction. The store holds one connection, in SQLite's exclusive locking mode, so a file
 * belongs to one store at a time: a second store on the same file, in this process or another, fails to open
 * with a {@link SpillException} saying the file is in use (after waiting {@value #LOCK_WAIT_MILLIS} ms for it).
 * Missing parent directories are created. The file's header marks it as a Breakwater spill; a SQLite file of
 * another application is refused. The table is {@code spilled_events}, with the columns of
 * {@link JdbcSpillStore#DDL}, in SQLite's types, and an index that makes {@link #oldest} an index scan.
 *
 * <p>Failures to open are {@link SpillException}s that name the file: a path that cannot be created, a file
 * that is not a SQLite database (or is corrupted), a file in use. Thread-safe, as {@link SpillStore} says.
 */
public final class SqliteSpillStore extends SqlBackedStore {

    /** {@link Builder#maxEvents(long)} unless set: 1,000,000. */
    public static final long DEFAULT_MAX_EVENTS = 1_000_000;
    /** {@link Builder#maxBytes(long)} unless set: 1 GiB. */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    /** How long opening waits for a file another store holds, in milliseconds. */
    public static final int LOCK_WAIT_MILLIS = 1000;

    private final Path file;

    private SqliteSpillStore(Path file, SqlSpill spill) {
        super(spill);
        this.file = file;
    }

    /**
     * Opens (or creates) the spill in {@code file} with the default limits.
     *
     * @throws SpillException when it cannot; the message names the file
     */
    public static SqliteSpillStore open(Path file) {
        return builder(file).open();
    }

    /** A builder for the spill in {@code file}. */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /** The file, as an absolute path. */
    public Path file() {
        return file;
    }

    @Override
    public String toString() {
        return "SqliteSpillStore[" + describe() + "]";
    }

    /** Limits for a {@link SqliteSpillStore}, checked as they are set. */
    public static final class Builder {

        private final Path file;
        private long maxEvents = DEFAULT_MAX_EVENTS;
        private long maxBytes = DEFAULT_MAX_BYTES;

        private Builder(Path file) {
            Objects.requireNonNull(file, "file");
            if (file.toString().indexOf('?') >= 0) {
                throw new IllegalArgumentException("file must not contain '?' (the SQLite driver reads what follows as "
                        + "options), but was " + file);
            }
            this.file = file.toAbsolutePath().normalize();
        }

        /** The most events the store holds; {@code > 0}. Default 1,000,000. */
        public Builder maxEvents(long maxEvents) {
            if (maxEvents <= 0) {
                throw new IllegalArgumentException("maxEvents must be > 0, but was " + maxEvents);
            }
            this.maxEvents = maxEvents;
            return this;
        }

        /** The most bytes ({@link SpilledEvent#sizeBytes()}, summed) the store holds; {@code > 0}. Default 1 GiB. */
        public Builder maxBytes(long maxBytes) {
            if (maxBytes <= 0) {
                throw new IllegalArgumentException("maxBytes must be > 0, but was " + maxBytes);
            }
            this.maxBytes = maxBytes;
            return this;
        }

        /**
         * Opens the store, creating the file and its directories if needed.
         *
         * @throws SpillException when it cannot; the message names the file
         */
        public SqliteSpillStore open() {
            String store = "sqlite:" + file;
            createDirectories(store);
            if (Files.isDirectory(file)) {
                throw new SpillException(store, "Spill " + store + " could not open: the path is a directory; give the "
                        + "spill a file", null);
            }
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            config.setLockingMode(SQLiteConfig.LockingMode.EXCLUSIVE);
            config.setBusyTimeout(LOCK_WAIT_MILLIS);
            String url = "jdbc:sqlite:" + file;
            Connections connections = Connections.watchingFile(Connections.held(() -> config.createConnection(url)), file);
            SqlSpill spill = SqlSpill.open(connections, Schema.sqlite(), store, Redaction.none(), maxEvents, maxBytes);
            return new SqliteSpillStore(file, spill);
        }

        private void createDirectories(String store) {
            Path parent = file.getParent();
            try {
                if (parent != null) {
                    Files.createDirectories(parent);
                }
            } catch (FileAlreadyExistsException e) {
                throw new SpillException(store, "Spill " + store + " could not open: cannot create its directory " + parent
                        + ", as " + e.getFile() + " exists and is not a directory", e);
            } catch (IOException | SecurityException e) {
                throw new SpillException(store, "Spill " + store + " could not open: cannot create its directory " + parent
                        + " (" + e + ")", e);
            }
        }
    }
}
