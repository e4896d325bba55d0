package io.breakwater.jdbc;

import io.breakwater.breaker.CircuitBreakerOpenException;
import java.sql.SQLTransientConnectionException;
import java.util.Objects;

/**
 * A database call refused by its breaker: the database was not asked. A {@link SQLTransientConnectionException}
 * (the JDBC category of SQLState class 08: the same call may succeed later, unchanged), so pools, frameworks
 * and retry code treat it as a connection failure: Spring translates it to a
 * {@code TransientDataAccessResourceException}. Its cause is the breaker's {@link CircuitBreakerOpenException},
 * which names the breaker and when it next admits a call.
 *
 * <p>SQLState {@value #REFUSED_CONNECTION} ({@code getConnection()} refused: no connection could be established)
 * or {@value #REFUSED_EXECUTION} (a statement or commit refused on a connection already held). Like the
 * breaker's own exception, it carries no stack trace unless the breaker's config asks for one
 * ({@code writableStackTrace}), so refusing stays cheap while the database is down. Immutable.
 */
public final class CircuitBreakerOpenSqlException extends SQLTransientConnectionException {

    private static final long serialVersionUID = 1L;

    /** The SQLState of a refused {@code getConnection()}: SQL-client unable to establish SQL-connection. */
    public static final String REFUSED_CONNECTION = "08001";
    /** The SQLState of a refused statement or commit: connection exception. */
    public static final String REFUSED_EXECUTION = "08000";

    private final String call;

    /**
     * {@code call} (such as {@code "getConnection()"}) was refused by {@code open}'s breaker, with SQLState
     * {@code sqlState}; {@code stackTrace}: whether to fill in the stack trace.
     */
    public CircuitBreakerOpenSqlException(String call, String sqlState, CircuitBreakerOpenException open, boolean stackTrace) {
        super(null, Objects.requireNonNull(sqlState, "sqlState"), Objects.requireNonNull(open, "open"));
        this.call = Objects.requireNonNull(call, "call");
        if (stackTrace) {
            super.fillInStackTrace();
        }
    }

    /** "Refused {@code call}: " and the breaker's message; built when first asked for, as the breaker's is. */
    @Override
    public String getMessage() {
        return "Refused " + call + ": " + getCause().getMessage();
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        // Called by the constructor of Throwable, before this class's fields are set: filled in later if wanted.
        return this;
    }

    /** The breaker's refusal. */
    public CircuitBreakerOpenException openException() {
        return (CircuitBreakerOpenException) getCause();
    }

    /** The name of the breaker that refused the call. */
    public String breakerName() {
        return openException().breakerName();
    }
}
