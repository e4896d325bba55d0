package io.breakwater.spill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link JdbcSpillStore} on a real PostgreSQL: the shared contract through a HikariCP pool, then what is
 * PostgreSQL's own. Each test has a table of its own, dropped after it. The database is
 * {@code -Dbreakwater.spill.postgres.url} (default {@value #DEFAULT_URL}, user postgres, no password).
 */
class JdbcSpillStoreIT extends SpillStoreContract {

    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String URL = System.getProperty("breakwater.spill.postgres.url", DEFAULT_URL);
    static final String USER = System.getProperty("breakwater.spill.postgres.user", "postgres");
    static final String PASSWORD = System.getProperty("breakwater.spill.postgres.password", "");

    private static HikariDataSource pool;
    private final List<String> dropAfter = new ArrayList<>();
    private String table;

    @BeforeAll
    static void connect() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(URL);
        config.setUsername(USER);
        config.setPassword(PASSWORD);
        config.setMaximumPoolSize(4);
        config.setPoolName("spill-it");
        pool = new HikariDataSource(config);
    }

    @AfterAll
    static void disconnect() {
        pool.close();
    }

    @BeforeEach
    void nameTable() {
        table = "spill_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        dropAfter.add("DROP TABLE IF EXISTS " + table);
    }

    @AfterEach
    void dropTables() throws SQLException {
        closeStores();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            for (String drop : dropAfter) {
                s.execute(drop);
            }
        }
    }

    @Override
    protected SpillStore openStore(long maxEvents, long maxBytes) {
        return JdbcSpillStore.builder(pool).table(table).maxEvents(maxEvents).maxBytes(maxBytes).open();
    }

    @Test
    void aUserWithoutTheRightToCreateUsesATableSomeoneElseCreated() throws SQLException {
        // Regression: every open ran the DDL, and PostgreSQL refuses CREATE TABLE IF NOT EXISTS (and CREATE INDEX IF NOT
        // EXISTS on a table one does not own) to a user without the right, even when there is nothing to create.
        String schema = "spill_ro_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String role = schema + "_app";
        String owned = schema + "." + table;
        dropAfter.add(0, "DROP ROLE IF EXISTS " + role);
        dropAfter.add(0, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            s.execute(JdbcSpillStore.ddl(owned));
            s.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'app-secret'");
            s.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
            s.execute("GRANT SELECT, INSERT, DELETE ON " + owned + " TO " + role);
        }
        try (SpillStore store = JdbcSpillStore.builder(URL, role, "app-secret").table(owned).open()) {
            List<SpilledEvent> appended = store.append(List.of(event("a", 1)));
            assertThat(store.oldest("a", 10)).hasSize(1);
            store.remove(appended);
            assertThat(store.stats().isEmpty()).isTrue();
        }
    }

    @Test
    void aTableMadeWithoutItsIndexesGetsThem() throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(JdbcSpillStore.ddl(table).split(";")[0]);   // the table alone
        }
        open();
        List<String> indexes = new ArrayList<>();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet row = s.executeQuery("SELECT indexname FROM pg_indexes WHERE tablename = '" + table + "'")) {
            while (row.next()) {
                indexes.add(row.getString(1));
            }
        }
        assertThat(indexes).contains(table + "_replay", table + "_age");
    }

    @Test
    void describeIsTheUrlAndTheTable() {
        SpillStore store = open();
        assertThat(store.describe()).isEqualTo(URL + " table " + table);
        assertThat(store).hasToString("JdbcSpillStore[" + store.describe() + "]");
    }

    @Test
    void theTableHasTheDocumentedColumnsAndIndexes() throws SQLException {
        open();
        List<String> columns = new ArrayList<>();
        List<String> indexes = new ArrayList<>();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet row = s.executeQuery("SELECT column_name, data_type, is_nullable, is_identity, identity_generation "
                    + "FROM information_schema.columns WHERE table_name = '" + table + "' ORDER BY ordinal_position")) {
                while (row.next()) {
                    columns.add(row.getString(1) + " " + row.getString(2) + " " + row.getString(3) + " " + row.getString(4)
                            + " " + row.getString(5));
                }
            }
            try (ResultSet row = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE tablename = '" + table + "' ORDER BY indexname")) {
                while (row.next()) {
                    indexes.add(row.getString(1).replace("public.", ""));
                }
            }
        }
        assertThat(columns).containsExactly(
                "sequence bigint NO YES ALWAYS", "event_id text NO NO null", "stream text NO NO null", "topic text NO NO null",
                "event_key text YES NO null", "payload bytea NO NO null", "headers text NO NO null",
                "ordering bigint NO NO null", "spilled_at_ms bigint NO NO null", "size_bytes bigint NO NO null");
        assertThat(indexes).containsExactlyInAnyOrder(
                "CREATE INDEX " + table + "_age ON " + table + " USING btree (spilled_at_ms)",
                "CREATE UNIQUE INDEX " + table + "_event_id_key ON " + table + " USING btree (event_id)",
                "CREATE UNIQUE INDEX " + table + "_pkey ON " + table + " USING btree (sequence)",
                "CREATE INDEX " + table + "_replay ON " + table + " USING btree (stream, ordering, sequence)");
    }

    @Test
    void oldestIsAnIndexScanWithoutASort() throws SQLException {
        open().append(IntStream.range(0, 5_000).mapToObj(i -> event("stream-" + i % 5, i)).toList());
        StringBuilder plan = new StringBuilder();
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("ANALYZE " + table);
            try (ResultSet row = s.executeQuery("EXPLAIN SELECT * FROM " + table + " WHERE stream = 'stream-7' ORDER BY "
                    + "ordering, sequence LIMIT 50")) {
                while (row.next()) {
                    plan.append(row.getString(1)).append('\n');
                }
            }
        }
        assertThat(plan.toString()).contains("Index Scan using " + table + "_replay").doesNotContain("Sort");
    }

    @Test
    void aSchemaQualifiedTableWorks() {
        String schema = "spill_it_schema_" + table.substring(9);
        dropAfter.add(0, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        try (SpillStore store = JdbcSpillStore.builder(pool).table(schema + ".events").open()) {
            SpilledEvent stored = store.append(List.of(event("s", 1))).get(0);
            assertThat(store.oldest("s", 1)).containsExactly(stored);
            assertThat(store.describe()).endsWith(" table " + schema + ".events");
        }
    }

    @Test
    void textWithNulIsRefusedBeforeItReachesPostgres() {
        SpillStore store = open();
        SpilledEvent nul = new SpilledEvent(0, "id", "s", "t", "k\0", new byte[0], Map.of(), 1, 1);

        assertThatThrownBy(() -> store.append(List.of(event("s", 0), nul)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("events[1] (eventId id) has the character NUL (U+0000) in its eventId, stream, topic or key, which "
                        + store.describe() + " cannot hold (PostgreSQL text)");
        assertThat(store.stats()).isEqualTo(SpillStats.EMPTY);
    }

    @Test
    void anUnreachableDatabaseIsNamedWithoutThePassword() throws Exception {
        String password = JdbcSpillStoreTest.PASSWORD;
        Path log = Path.of(System.getProperty("org.slf4j.simpleLogger.logFile", "target/no-log-file"));
        long logBefore = Files.exists(log) ? Files.size(log) : 0;
        Logger driverLog = Logger.getLogger("org.postgresql");
        Level levelBefore = driverLog.getLevel();
        List<String> driverLines = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                driverLines.add(record.getMessage() + " " + java.util.Arrays.toString(record.getParameters()) + " "
                        + (record.getThrown() == null ? "" : JdbcSpillStoreTest.printed(record.getThrown())));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        driverLog.setLevel(Level.ALL);
        driverLog.addHandler(capture);
        try {
            assertThatThrownBy(() -> JdbcSpillStore.builder("jdbc:postgresql://127.0.0.1:1/test", "postgres", password).open())
                    .isInstanceOf(SpillException.class)
                    .hasMessage("Spill jdbc:postgresql://127.0.0.1:1/test table breakwater_spill could not open: cannot reach the "
                            + "database (Connection to 127.0.0.1:1 refused. Check that the hostname and port are correct and "
                            + "that the postmaster is accepting TCP/IP connections.)")
                    .satisfies(e -> assertThat(JdbcSpillStoreTest.printed(e)).doesNotContain(password));
            // Credentials before the host never reach the driver, which would log the URL as written.
            assertThatThrownBy(() -> JdbcSpillStore.builder("jdbc:postgresql://postgres:" + password + "@127.0.0.1:1/test",
                    null, null)).isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith(
                            "but was jdbc:postgresql://127.0.0.1:1/test");
        } finally {
            driverLog.removeHandler(capture);
            driverLog.setLevel(levelBefore);
        }
        assertThat(driverLines).isNotEmpty().noneMatch(line -> line.contains(password));
        String logged = Files.exists(log) ? Files.readString(log).substring((int) logBefore) : "";
        assertThat(logged).doesNotContain(password);

        for (String url : List.of("jdbc:postgresql://127.0.0.1:1/test?user=postgres&password=" + password)) {
            assertThatThrownBy(() -> JdbcSpillStore.builder(url, null, null).open())
                    .isInstanceOf(SpillException.class)
                    .satisfies(e -> assertThat(JdbcSpillStoreTest.printed(e)).doesNotContain(password)
                            .contains("Spill jdbc:postgresql://127.0.0.1:1/test"));
        }
    }

    @Test
    void aDataSourceThatCannotConnectIsNamed() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/test");
        config.setUsername("postgres");
        config.setPassword(JdbcSpillStoreTest.PASSWORD);
        config.setConnectionTimeout(250);
        config.setInitializationFailTimeout(-1);
        try (HikariDataSource down = new HikariDataSource(config)) {
            assertThatThrownBy(() -> JdbcSpillStore.builder(down).table(table).open())
                    .isInstanceOf(SpillException.class)
                    .hasMessageStartingWith("Spill DataSource com.zaxxer.hikari.HikariDataSource table " + table
                            + " could not open: cannot get a connection (")
                    .satisfies(e -> assertThat(JdbcSpillStoreTest.printed(e)).doesNotContain(JdbcSpillStoreTest.PASSWORD));
        }
    }

    @Test
    void theUrlFormKeepsOneConnectionAndReplacesItWhenItBreaks() throws SQLException {
        String application = "spill-it-" + table;
        String url = URL + (URL.contains("?") ? "&" : "?") + "ApplicationName=" + application;
        try (SpillStore store = JdbcSpillStore.builder(url, USER, PASSWORD).table(table).open()) {
            SpilledEvent first = store.append(List.of(event("s", 1))).get(0);
            assertThat(store.describe()).isEqualTo(url + " table " + table);

            try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                 ResultSet killed = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                         + "WHERE application_name = '" + application + "'")) {
                killed.next();
                assertThat(killed.getInt(1)).isEqualTo(1);
            }

            assertThatThrownBy(() -> store.append(List.of(event("s", 2))))
                    .isInstanceOf(SpillException.class)
                    .hasMessageStartingWith("Spill " + store.describe() + " could not append 1 event(s): ");
            SpilledEvent third = store.append(List.of(event("s", 3))).get(0);

            assertThat(store.oldest("s", 10)).containsExactly(first, third);
            assertThat(store.stats().events()).isEqualTo(2);
        }
    }
}
