package io.breakwater.jdbc.internal;

import java.lang.reflect.Method;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * A connection whose statements and commits go through the breaker, and whose rollbacks and close are watched
 * for stalls (never refused). Everything else, close included, behaves as the delegate's.
 */
public final class GuardedConnection extends JdbcProxy {

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
                return guard.execute("commit()", () -> call(method, args));
            case "rollback":
                return guard.watch(args == null ? "rollback()" : "rollback(savepoint)", () -> call(method, args));
            case "close":
                return guard.watch("close()", () -> call(method, args));
            case "createStatement":
                return GuardedStatement.wrap(Statement.class, (Statement) call(method, args), (Connection) proxy, guard);
            case "prepareStatement":
                return GuardedStatement.wrap(PreparedStatement.class, (PreparedStatement) call(method, args),
                        (Connection) proxy, guard);
            case "prepareCall":
                return GuardedStatement.wrap(CallableStatement.class, (CallableStatement) call(method, args),
                        (Connection) proxy, guard);
            default:
                return call(method, args);
        }
    }
}
