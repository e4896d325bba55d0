package io.breakwater.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source for unit tests: what {@code getConnection()} and every execution (statements and commit) do is
 * set by the test, including blocking until released. Connections and statements are proxies that count what
 * is done to them.
 */
final class FakeDatabase implements DataSource, AutoCloseable {

    /** What a call does: returns its result or throws. */
    @FunctionalInterface
    interface Step {
        Object run() throws Throwable;
    }

    /** A driver's own interface, reached through {@code unwrap}. */
    interface VendorConnection extends Connection {
        String vendor();
    }

    /** A call that blocks until {@link #release()}: {@link #awaitEntered()} tells when a caller is inside. */
    static final class Gate implements Step {
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private final Step then;

        Gate(Step then) {
            this.then = then;
        }

        @Override
        public Object run() throws Throwable {
            entered.countDown();
            if (!released.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gate never released");
            }
            return then.run();
        }

        void awaitEntered() throws InterruptedException {
            if (!entered.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("no caller reached the gate");
            }
        }

        void release() {
            released.countDown();
        }
    }

    final AtomicInteger connects = new AtomicInteger();
    final AtomicInteger executions = new AtomicInteger();
    final AtomicInteger rollbacks = new AtomicInteger();
    final AtomicInteger connectionsClosed = new AtomicInteger();
    final AtomicInteger statementsClosed = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    final ResultSet resultSet = (ResultSet) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {ResultSet.class}, (p, m, a) -> m.getName().equals("toString") ? "fake result set" : null);
    volatile Step onConnect = () -> null;
    volatile Step onExecute = () -> null;
    volatile Step onRollback = () -> null;
    volatile Step onPrepare = () -> null;
    // The setters pgjdbc answers with a statement on the server (setTransactionIsolation, say).
    volatile Step onSetting = () -> null;

    @Override
    public Connection getConnection() throws SQLException {
        connects.incrementAndGet();
        run(onConnect);
        return connection();
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return getConnection();
    }

    private static Object run(Step step) throws SQLException {
        try {
            return step.run();
        } catch (SQLException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private Connection connection() {
        boolean[] closed = {false};
        boolean[] autoCommit = {true};
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, method.getName(), args, "fake connection");
            }
            switch (method.getName()) {
                case "createStatement" -> {
                    return statement(method.getReturnType(), (Connection) proxy);
                }
                case "prepareStatement", "prepareCall" -> {
                    run(onPrepare);
                    return statement(method.getReturnType(), (Connection) proxy);
                }
                case "commit" -> {
                    executions.incrementAndGet();
                    return run(onExecute);
                }
                case "getAutoCommit" -> {
                    return autoCommit[0];
                }
                case "setAutoCommit" -> {
                    boolean on = (Boolean) args[0];
                    if (on && !autoCommit[0]) {   // commits the transaction, as JDBC says
                        executions.incrementAndGet();
                        run(onExecute);
                    }
                    autoCommit[0] = on;
                    return null;
                }
                case "rollback" -> {
                    rollbacks.incrementAndGet();
                    return run(onRollback);
                }
                case "setTransactionIsolation", "setSchema", "setCatalog", "setReadOnly" -> {
                    return run(onSetting);
                }
                case "close" -> {
                    closed[0] = true;
                    connectionsClosed.incrementAndGet();
                    return null;
                }
                case "isClosed" -> {
                    return closed[0];
                }
                case "vendor" -> {
                    return "fake";
                }
                case "unwrap" -> {
                    return ((Class<?>) args[0]).cast(proxy);
                }
                case "isWrapperFor" -> {
                    return ((Class<?>) args[0]).isInstance(proxy);
                }
                default -> {
                    return null;
                }
            }
        };
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {VendorConnection.class}, handler);
    }

    private Object statement(Class<?> type, Connection connection) {
        boolean[] closed = {false};
        boolean[] autoCommit = {true};
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, method.getName(), args, "fake statement");
            }
            String name = method.getName();
            if (name.startsWith("execute")) {
                executions.incrementAndGet();
                Object result = run(onExecute);
                if (result != null) {
                    return result;
                }
                Class<?> returns = method.getReturnType();
                return returns == ResultSet.class ? resultSet : returns == int.class ? 1 : returns == long.class ? 1L
                        : returns == boolean.class ? Boolean.FALSE : returns == int[].class ? new int[] {1} : new long[] {1};
            }
            switch (name) {
                case "getConnection" -> {
                    if (closed[0]) {
                        throw new SQLException("statement is closed");
                    }
                    return connection;
                }
                case "close" -> {
                    closed[0] = true;
                    statementsClosed.incrementAndGet();
                    return null;
                }
                case "isClosed" -> {
                    return closed[0];
                }
                default -> {
                    return null;
                }
            }
        };
        return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, handler);
    }

    private static Object objectMethod(Object proxy, String name, Object[] args, String text) {
        return name.equals("equals") ? proxy == args[0] : name.equals("hashCode") ? System.identityHashCode(proxy) : text;
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper for " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
