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
    private final DatabaseGuard.Link link;

    private GuardedStatement(Statement delegate, Connection connection, DatabaseGuard guard, DatabaseGuard.Link link) {
        super(delegate, guard);
        this.connection = connection;
        this.link = link;
    }

    /** {@code delegate} as a {@code type} guarded by {@code guard}, on the connection {@code link}; null stays null. */
    static <S extends Statement> S wrap(Class<S> type, S delegate, Connection connection, DatabaseGuard guard,
                                        DatabaseGuard.Link link) {
        return delegate == null ? null : create(type, new GuardedStatement(delegate, connection, guard, link));
    }

    @Override
    Object handle(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (name.startsWith("execute")) {
            return guard.execute(name + "()", link, () -> call(method, args));
        }
        if (name.equals("getConnection")) {
            call(method, args); // the delegate's checks (a closed statement throws)
            return connection;
        }
        return call(method, args);
    }
}
