package io.breakwater.jdbc.internal;

import java.lang.reflect.Method;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * A connection whose statements and commits go through the breaker, and whose rollbacks, {@code setAutoCommit} (which
 * may commit), savepoints, close, statement preparations and the setters that may ask the server (isolation, schema,
 * catalog, read-only, {@code isValid}) are watched for stalls (never refused). Everything else,
 * close included, behaves as the delegate's.
 */
public final class GuardedConnection extends JdbcProxy {

    private final DatabaseGuard.Link link = new DatabaseGuard.Link();

    private GuardedConnection(Connection delegate, DatabaseGuard guard) {
        super(delegate, guard);
    }

    /** {@code delegate} guarded by {@code guard}. */
    public static Connection wrap(Connection delegate, DatabaseGuard guard) {
        return create(Connection.class, new GuardedConnection(delegate, guard));
    }

    @Override
    Object handle(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "commit":
                return guard.execute("commit()", link, () -> call(method, args));
            case "setAutoCommit":
                // Turned on, it commits a transaction left open (JDBC says so), so it may wait for the database; it is
                // also how a caller cleans up after a rollback, so it is watched, never refused, as rollback() is.
                return guard.watch("setAutoCommit(" + args[0] + ")", link, () -> call(method, args));
            case "setSavepoint", "releaseSavepoint":
                return guard.watch(method.getName() + "()", link, () -> call(method, args));
            case "setTransactionIsolation", "setSchema", "setCatalog", "setReadOnly", "isValid":
                // pgjdbc runs a statement on the server for some of these (Spring's @Transactional sets the isolation):
                // a caller blocked there on a dead database is watched too.
                return guard.watch(method.getName() + "()", link, () -> call(method, args));
            case "rollback":
                return guard.watch(args == null ? "rollback()" : "rollback(savepoint)", link, () -> call(method, args));
            case "close":
                try {
                    return guard.watch("close()", link, () -> call(method, args));
                } finally {
                    link.closed();
                }
            case "createStatement":
                return GuardedStatement.wrap(Statement.class, (Statement) call(method, args), (Connection) proxy, guard,
                        link);
            case "prepareStatement":
                // Watched, not asked: a driver that prepares on the server (MySQL's server-side statements, say) waits
                // for the database here, while pgjdbc does not reach it until the statement's first execution.
                return GuardedStatement.wrap(PreparedStatement.class,
                        guard.watch("prepareStatement()", link, () -> (PreparedStatement) call(method, args)),
                        (Connection) proxy, guard, link);
            case "prepareCall":
                return GuardedStatement.wrap(CallableStatement.class,
                        guard.watch("prepareCall()", link, () -> (CallableStatement) call(method, args)),
                        (Connection) proxy, guard, link);
            default:
                return call(method, args);
        }
    }
}
