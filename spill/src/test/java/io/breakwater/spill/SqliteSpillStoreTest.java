package io.breakwater.spill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SqliteSpillStore} on real files: the shared contract, then what is SQLite's own. */
class SqliteSpillStoreTest extends SpillStoreContract {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("spill.db");
    }

    @Override
    protected SpillStore openStore(long maxEvents, long maxBytes) {
        return SqliteSpillStore.builder(file()).maxEvents(maxEvents).maxBytes(maxBytes).open();
    }

    @Test
    void defaultsAndDescription() {
        try (SqliteSpillStore store = SqliteSpillStore.open(dir.resolve("a/../b.db"))) {
            assertThat(store.maxEvents()).isEqualTo(1_000_000);
            assertThat(store.maxBytes()).isEqualTo(1L << 30);
            assertThat(store.file()).isEqualTo(dir.resolve("b.db").toAbsolutePath());
            assertThat(store.describe()).isEqualTo("sqlite:" + dir.resolve("b.db").toAbsolutePath());
            assertThat(store).hasToString("SqliteSpillStore[" + store.describe() + "]");
        }
    }

    @Test
    void eventsAppendedBeforeAKillAreThereAfterIt() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SpillKillChild.class.getName(), file().toString(), "30")
                .redirectErrorStream(true).start();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<String> last = reader.submit(() -> {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                String line;
                String appended = null;
                while ((line = out.readLine()) != null && !line.equals("appended 300")) {
                    appended = line.startsWith("appended ") ? line : appended;
                }
                return line == null ? "ended before appending everything; last: " + appended : line;
            });
            assertThat(last.get(60, TimeUnit.SECONDS)).isEqualTo("appended 300");
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
            reader.shutdownNow();
        }

        SpillStore store = open();
        assertThat(store.stats().events()).isEqualTo(300);
        assertThat(store.oldest("s", 1_000)).extracting(SpilledEvent::order)
                .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 300).boxed().toList());
    }

    @Test
    void createsMissingParentDirectories() {
        Path deep = dir.resolve("x/y/z/spill.db");
        try (SqliteSpillStore store = SqliteSpillStore.open(deep)) {
            store.append(List.of(event("s", 1)));
        }
        assertThat(deep).isRegularFile();
    }

    @Test
    void theFileIsInWalModeAndMarkedAsASpill() throws SQLException {
        open().close();
        try (Connection plain = DriverManager.getConnection("jdbc:sqlite:" + file());
             Statement statement = plain.createStatement()) {
            assertThat(text(statement, "PRAGMA journal_mode")).isEqualTo("wal");
            assertThat(text(statement, "PRAGMA application_id")).isEqualTo(String.valueOf(0x42575350));
            assertThat(text(statement, "PRAGMA user_version")).isEqualTo("1");
        }
    }

    @Test
    void oldestIsAnIndexScanWithoutASort() throws SQLException {
        open().close();
        List<String> plan = new ArrayList<>();
        try (Connection plain = DriverManager.getConnection("jdbc:sqlite:" + file());
             Statement statement = plain.createStatement();
             ResultSet rows = statement.executeQuery("EXPLAIN QUERY PLAN SELECT * FROM spilled_events WHERE stream = 's' "
                     + "ORDER BY ordering, sequence LIMIT 10")) {
            while (rows.next()) {
                plan.add(rows.getString("detail"));
            }
        }
        assertThat(plan).containsExactly("SEARCH spilled_events USING INDEX spilled_events_replay (stream=?)");
    }

    /**
     * Regression: SQLite in WAL mode with an exclusive lock went on appending to a file deleted under it, and each
     * append returned as durable though a restart would find nothing. Now an append refuses, naming the file; the events
     * held are still read and removed, so the replay can send them while the store stays open.
     */
    @Test
    void aFileDeletedUnderTheStoreRefusesAppendsButItsEventsCanStillBeReplayed() throws Exception {
        try (SqliteSpillStore store = SqliteSpillStore.open(file())) {
            List<SpilledEvent> held = store.append(List.of(event("s", 1), event("s", 2)));
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(Path.of(file() + suffix));
            }

            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> store.append(List.of(event("s", 3))))
                        .isInstanceOf(SpillException.class)
                        .hasMessage("Spill sqlite:" + file() + " could not append 1 event(s): the file was deleted or "
                                + "replaced while the store had it open, so an append would not survive a restart; the "
                                + "events held are still replayed while it stays open. Close the store and open it again "
                                + "to start a new file (or to open the one now at its path)");
            }
            assertThat(store.oldest("s", 10)).containsExactlyElementsOf(held);
            store.remove(held);
            assertThat(store.stats().events()).isZero();
            assertThat(file()).doesNotExist();
        }
        try (SqliteSpillStore reopened = SqliteSpillStore.open(file())) {
            assertThat(reopened.stats().events()).isZero();
            assertThat(reopened.append(List.of(event("s", 4)))).hasSize(1);
        }
    }

    @Test
    void itsWriteAheadLogDeletedUnderTheStoreRefusesAppendsToo() throws Exception {
        try (SqliteSpillStore store = SqliteSpillStore.open(file())) {
            List<SpilledEvent> held = store.append(List.of(event("s", 1)));
            assertThat(Path.of(file() + "-wal")).exists();
            Files.delete(Path.of(file() + "-wal"));

            assertThatThrownBy(() -> store.append(List.of(event("s", 2))))
                    .isInstanceOf(SpillException.class)
                    .hasMessageContaining("the file was deleted or replaced while the store had it open");
            assertThat(store.oldest("s", 10)).containsExactlyElementsOf(held);
        }
    }

    @Test
    void itsWriteAheadLogDeletedBeforeTheFirstAppendIsSeenToo() throws Exception {
        try (SqliteSpillStore store = SqliteSpillStore.open(file())) {
            Files.delete(Path.of(file() + "-wal")); // made by the open's own transaction

            assertThatThrownBy(() -> store.append(List.of(event("s", 1))))
                    .isInstanceOf(SpillException.class)
                    .hasMessageContaining("the file was deleted or replaced while the store had it open");
        }
    }

    @Test
    void aFileReplacedUnderTheStoreRefusesAppends() throws Exception {
        try (SqliteSpillStore store = SqliteSpillStore.open(file())) {
            store.append(List.of(event("s", 1)));
            Path other = dir.resolve("other.db");
            SqliteSpillStore.open(other).close();
            Files.move(other, file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            assertThatThrownBy(() -> store.append(List.of(event("s", 2))))
                    .isInstanceOf(SpillException.class)
                    .hasMessageContaining("the file was deleted or replaced while the store had it open");
        }
    }

    @Test
    void aPathUnderARegularFileCannotBeCreated() throws Exception {
        Path regular = Files.writeString(dir.resolve("plain.txt"), "not a directory");
        Path file = regular.resolve("sub/spill.db");

        assertThatThrownBy(() -> SqliteSpillStore.open(file))
                .isInstanceOf(SpillException.class)
                .hasMessageStartingWith("Spill sqlite:" + file + " could not open: cannot create its directory " + file.getParent())
                .satisfies(e -> assertThat(((SpillException) e).store()).isEqualTo("sqlite:" + file));
    }

    @Test
    void aDirectoryIsNotASpillFile() {
        assertThatThrownBy(() -> SqliteSpillStore.open(dir))
                .isInstanceOf(SpillException.class)
                .hasMessage("Spill sqlite:" + dir + " could not open: the path is a directory; give the spill a file");
    }

    @Test
    void aFileOfGarbageIsReportedAsNotADatabase() throws Exception {
        byte[] garbage = new byte[8192];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(file(), garbage);

        assertThatThrownBy(() -> SqliteSpillStore.open(file()))
                .isInstanceOf(SpillException.class)
                .hasMessageStartingWith("Spill sqlite:" + file() + " could not open: the file is not a SQLite database, or it "
                        + "is corrupted; move it away to start an empty spill ([SQLITE_NOTADB]");
        assertThat(Files.readAllBytes(file())).isEqualTo(garbage);
    }

    @Test
    void aSpillWhoseDatabasePagesAreOverwrittenIsReportedCorrupted() throws Exception {
        try (SpillStore store = SqliteSpillStore.open(file())) {
            store.append(List.of(event("s", 1)));
        }
        byte[] bytes = Files.readAllBytes(file());
        for (int i = 100; i < bytes.length; i++) {
            bytes[i] = (byte) 0x5a;
        }
        Files.write(file(), bytes);

        assertThatThrownBy(() -> SqliteSpillStore.open(file()))
                .isInstanceOf(SpillException.class)
                .hasMessageStartingWith("Spill sqlite:" + file() + " could not open: the file ");
    }

    @Test
    void aFileInUseByAnotherStoreIsReportedAsSuch() {
        try (SpillStore first = SqliteSpillStore.open(file())) {
            first.append(List.of(event("s", 1)));

            assertThatThrownBy(() -> SqliteSpillStore.open(file()))
                    .isInstanceOf(SpillException.class)
                    .hasMessageStartingWith("Spill sqlite:" + file() + " could not open: the file is in use by another spill "
                            + "store, in this process or another (a spill file belongs to one store at a time) ([SQLITE_BUSY]");
            assertThat(first.stats().events()).isEqualTo(1);
            first.append(List.of(event("s", 2)));
        }
        try (SpillStore again = SqliteSpillStore.open(file())) {
            assertThat(again.stats().events()).isEqualTo(2);
        }
    }

    @Test
    void aSqliteFileOfAnotherApplicationIsRefused() throws SQLException {
        try (Connection plain = DriverManager.getConnection("jdbc:sqlite:" + file());
             Statement statement = plain.createStatement()) {
            statement.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
        }

        assertThatThrownBy(() -> SqliteSpillStore.open(file()))
                .isInstanceOf(SpillException.class)
                .hasMessage("Spill sqlite:" + file() + " could not open: the file is a SQLite database of another application "
                        + "(application_id 0, 1 schema object(s)); give the spill a file of its own");
    }

    @Test
    void aSpillOfANewerVersionIsRefused() throws SQLException {
        open().close();
        try (Connection plain = DriverManager.getConnection("jdbc:sqlite:" + file());
             Statement statement = plain.createStatement()) {
            statement.execute("PRAGMA user_version = 2");
        }

        assertThatThrownBy(() -> SqliteSpillStore.open(file()))
                .isInstanceOf(SpillException.class)
                .hasMessage("Spill sqlite:" + file() + " could not open: the file was written by a newer Breakwater (spill "
                        + "schema version 2; this one reads version 1)");
    }

    @Test
    void theBuilderRefusesBadValuesAtOnce() {
        assertThatThrownBy(() -> SqliteSpillStore.open(null)).isInstanceOf(NullPointerException.class).hasMessage("file");
        assertThatThrownBy(() -> SqliteSpillStore.builder(file()).maxEvents(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxEvents must be > 0, but was 0");
        assertThatThrownBy(() -> SqliteSpillStore.builder(file()).maxBytes(-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxBytes must be > 0, but was -5");
        Path question = dir.resolve("what?.db");
        assertThatThrownBy(() -> SqliteSpillStore.builder(question))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("file must not contain '?' (the SQLite driver reads what follows as options), but was " + question);
    }

    @Test
    void eventsWithNulCharactersRoundTrip() {
        SpillStore store = open();
        SpilledEvent nul = new SpilledEvent(0, "id\0", "s", "t\0", "k\0ey", new byte[] {0}, java.util.Map.of("\0", "\0"), 1, 1);

        SpilledEvent stored = store.append(List.of(nul)).get(0);

        assertThat(store.oldest("s", 1)).containsExactly(stored);
        assertThat(new String(stored.payload(), StandardCharsets.UTF_8)).isEqualTo("\0");
    }

    private static String text(Statement statement, String sql) throws SQLException {
        try (ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }
}
