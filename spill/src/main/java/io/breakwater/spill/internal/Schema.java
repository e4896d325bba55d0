package io.breakwater.spill.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** The table a store keeps its events in, and how to create it: the same columns in SQLite and PostgreSQL. */
public final class Schema {

    /** The table in a SQLite spill file. */
    public static final String SQLITE_TABLE = "spilled_events";

    // "BWSP" in a SQLite file's header: the file is a spill, and its schema version is in user_version.
    private static final int APPLICATION_ID = 0x42575350;
    private static final int VERSION = 1;
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    // PostgreSQL cuts names at 63 bytes; this leaves room for the index names made from the table's.
    private static final int MAX_TABLE = 48;

    private static final String SQLITE = """
            CREATE TABLE IF NOT EXISTS {table} (
                sequence      INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id      TEXT    NOT NULL UNIQUE,
                stream        TEXT    NOT NULL,
                topic         TEXT    NOT NULL,
                event_key     TEXT    NULL,
                payload       BLOB    NOT NULL,
                headers       TEXT    NOT NULL,
                ordering      INTEGER NOT NULL,
                spilled_at_ms INTEGER NOT NULL,
                size_bytes    INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS {name}_replay ON {table} (stream, ordering, sequence);
            CREATE INDEX IF NOT EXISTS {name}_age ON {table} (spilled_at_ms);""";

    private static final String POSTGRES = """
            CREATE TABLE IF NOT EXISTS {table} (
                sequence      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                event_id      TEXT   NOT NULL UNIQUE,
                stream        TEXT   NOT NULL,
                topic         TEXT   NOT NULL,
                event_key     TEXT   NULL,
                payload       BYTEA  NOT NULL,
                headers       TEXT   NOT NULL,
                ordering      BIGINT NOT NULL,
                spilled_at_ms BIGINT NOT NULL,
                size_bytes    BIGINT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS {name}_replay ON {table} (stream, ordering, sequence);
            CREATE INDEX IF NOT EXISTS {name}_age ON {table} (spilled_at_ms);""";

    private final String table;
    private final String ddl;
    private final boolean sqlite;

    private Schema(String table, String template, boolean sqlite) {
        String name = table.substring(table.indexOf('.') + 1);
        this.table = table;
        this.ddl = template.replace("{table}", table).replace("{name}", name);
        this.sqlite = sqlite;
    }

    /** The schema of a SQLite spill file. */
    public static Schema sqlite() {
        return new Schema(SQLITE_TABLE, SQLITE, true);
    }

    /**
     * The schema of a PostgreSQL table, {@code name} or {@code schema.name}: plain SQL identifiers (a letter or
     * {@code _}, then letters, digits, {@code _}), the name at most 48 characters. Anything else is refused
     * with an {@link IllegalArgumentException}, so nothing but a name reaches the SQL.
     */
    public static Schema postgres(String table) {
        Objects.requireNonNull(table, "table");
        String[] parts = table.split("\\.", -1);
        if (parts.length > 2 || !Arrays.stream(parts).allMatch(p -> IDENTIFIER.matcher(p).matches())) {
            throw new IllegalArgumentException("table must be a plain SQL identifier, optionally after a schema and a "
                    + "dot (letters, digits and _, not starting with a digit, as in breakwater_spill or app.spill), "
                    + "but was '" + table + "'");
        }
        String name = parts[parts.length - 1];
        if (name.length() > MAX_TABLE || parts[0].length() > 63) {
            throw new IllegalArgumentException("table must be at most " + MAX_TABLE + " characters (its schema at most "
                    + "63), to leave room for the names of its indexes, but was '" + table + "'");
        }
        return new Schema(table, POSTGRES, false);
    }

    /** The table's name, as the SQL uses it. */
    public String table() {
        return table;
    }

    /** The statements that create the table and its indexes, each ending with {@code ;}, one after another. */
    public String ddl() {
        return ddl;
    }

    /** Whether text columns may hold the character NUL (U+0000): not in PostgreSQL. */
    boolean textHoldsNul() {
        return sqlite;
    }

    /**
     * Creates what is missing; in SQLite, first checks that the file is a spill of a version this code reads. In
     * PostgreSQL only what is missing is created, the table and each index apart: PostgreSQL checks the right to create
     * (in the schema, and an index's on the table's owner) before it sees that nothing is to be created, and a user
     * whose table someone else created may have no such right.
     */
    void create(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            if (sqlite) {
                checkSqliteFile(statement);
            }
            List<String> statements = statements();
            for (int i = 0; i < statements.size(); i++) {
                if (sqlite || !exists(connection, i == 0 ? table : indexOf(statements.get(i)))) {
                    statement.execute(statements.get(i));
                }
            }
        }
    }

    /** The name of the index {@code createIndex} makes, in the table's schema (as the table's name gives it, or none). */
    private String indexOf(String createIndex) {
        String index = createIndex.split("\\s+")[5];   // CREATE INDEX IF NOT EXISTS {name}_... ON ...
        int dot = table.indexOf('.');
        return dot < 0 ? index : table.substring(0, dot + 1) + index;
    }

    /** Whether the PostgreSQL relation exists, as the SQL would find it (the search path for a name without a schema). */
    private static boolean exists(Connection connection, String relation) throws SQLException {
        try (java.sql.PreparedStatement find = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            find.setString(1, relation);
            try (ResultSet row = find.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    private static void checkSqliteFile(Statement statement) throws SQLException {
        long applicationId = number(statement, "PRAGMA application_id");
        long version = number(statement, "PRAGMA user_version");
        long objects = number(statement, "SELECT count(*) FROM sqlite_master");
        if (applicationId == 0 && objects == 0) {
            statement.execute("PRAGMA application_id = " + APPLICATION_ID);
            statement.execute("PRAGMA user_version = " + VERSION);
        } else if (applicationId != APPLICATION_ID) {
            throw new SQLNonTransientException("the file is a SQLite database of another application (application_id "
                    + applicationId + ", " + objects + " schema object(s)); give the spill a file of its own");
        } else if (version > VERSION) {
            throw new SQLNonTransientException("the file was written by a newer Breakwater (spill schema version "
                    + version + "; this one reads version " + VERSION + ")");
        }
    }

    private static long number(Statement statement, String sql) throws SQLException {
        try (ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    /** The DDL split into its statements. */
    List<String> statements() {
        return Arrays.stream(ddl.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
