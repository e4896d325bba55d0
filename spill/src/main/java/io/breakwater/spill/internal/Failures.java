package io.breakwater.spill.internal;

import io.breakwater.spill.SpillException;
import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Turns what a driver throws into a {@link SpillException} that names the store, says what it could not do
 * and, where the cause is a common one, what it means: {@code Spill <store> could not <action>: <meaning>
 * (<the driver's message>)}. Nothing it builds holds a secret of the store's {@link Redaction}.
 */
final class Failures {

    private final String store;
    private final Redaction redaction;

    Failures(String store, Redaction redaction) {
        this.store = store;
        this.redaction = redaction;
    }

    String store() {
        return store;
    }

    SpillException of(String action, SQLException error) {
        Throwable cause = redaction.apply(error);
        String driver = firstLine(redaction.apply(error.getMessage()));
        String meaning = meaning(error);
        return new SpillException(store, "Spill " + store + " could not " + action + ": "
                + (meaning == null ? driver : meaning + " (" + driver + ")"), cause);
    }

    SpillException of(String action, String problem) {
        return new SpillException(store, "Spill " + store + " could not " + action + ": " + redaction.apply(problem), null);
    }

    IllegalStateException closed() {
        return new IllegalStateException("Spill " + store + " is closed");
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "no message";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    static boolean isUniqueViolation(SQLException error) {
        if (error instanceof SQLiteException sqlite) {
            SQLiteErrorCode code = sqlite.getResultCode();
            return code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE || code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY;
        }
        return "23505".equals(error.getSQLState());
    }

    private static String meaning(SQLException error) {
        if (error instanceof SQLiteException sqlite) {
            return sqliteMeaning(sqlite.getResultCode().code & 0xff);
        }
        if (error.getMessage() != null && error.getMessage().startsWith("No suitable driver")) {
            return "no JDBC driver on the class path takes this URL; add one (for PostgreSQL, org.postgresql:postgresql)";
        }
        String state = error.getSQLState();
        if (state == null) {
            return null;
        }
        if (state.startsWith("08")) {
            return "cannot reach the database";
        }
        if (state.startsWith("28")) {
            return "the database refused the credentials";
        }
        if (state.startsWith("53")) {
            return "the database is out of resources (disk, memory or connections)";
        }
        if (state.startsWith("57P")) {
            return "the database is shutting down or restarting";
        }
        return switch (state) {
            case "3D000" -> "the database does not exist";
            case "42501" -> "the database user lacks the rights for this";
            default -> null;
        };
    }

    private static String sqliteMeaning(int primaryCode) {
        return switch (primaryCode) {
            case 5, 6 -> "the file is in use by another spill store, in this process or another (a spill file belongs "
                    + "to one store at a time)";
            case 26 -> "the file is not a SQLite database, or it is corrupted; move it away to start an empty spill";
            case 11 -> "the file is corrupted; move it away to start an empty spill";
            case 14 -> "the file cannot be opened; the path must name a file in a directory that exists";
            case 13 -> "the disk is full";
            case 8 -> "the file is read-only";
            case 3 -> "no permission to use the file";
            case 10 -> "an I/O error";
            default -> null;
        };
    }
}
