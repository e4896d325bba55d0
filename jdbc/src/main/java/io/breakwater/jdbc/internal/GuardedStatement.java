package io.breakwater.jdbc.internal;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.Statement;

/**
 * A statement (plain, prepared or callable) whose executions go through the breaker: every {@code execute*}
 * method. {@code getConnection()} returns the guarded connection it came from; everything else, close included,
 * behaves as the delegate's.
 */
final class GuardedStatement extends JdbcProxy {

    private final Connection connection;

    private GuardedStatement(Statement delegate, Connection connection, DatabaseGuard guard) {
        super(delegate, guard);
        this.connection = connection;
    }

    /** {@code delegate} as a {@code type} guarded by {@code guard}; null stays null. */
    static <S extends Statement> S wrap(Class<S> type, S delegate, Connection connection, DatabaseGuard guard) {
        return delegate == null ? null : create(type, new GuardedStatement(delegate, connection, guard));
    }

    @Override
    Object handle(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (name.startsWith("execute")) {
            return guard.execute(name + "()", () -> call(method, args));
        }
        if (name.equals("getConnection")) {
            call(method, args); // the delegate's checks (a closed statement throws)
            return connection;
        }
        return call(method, args);
    }
}
