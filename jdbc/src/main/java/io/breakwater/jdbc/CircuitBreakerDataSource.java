package io.breakwater.jdbc;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.GuardClosedException;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.watch.Watchdog;
import io.breakwater.jdbc.internal.DatabaseGuard;
import io.breakwater.jdbc.internal.GuardedConnection;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} with a circuit breaker in front of any other (a HikariCP pool, a driver's own data
 * source): the database guard.
 *
 * <ul>
 *   <li>{@code getConnection()} asks the breaker first; refused, it throws a {@link CircuitBreakerOpenSqlException}
 *       (SQLState {@value CircuitBreakerOpenSqlException#REFUSED_CONNECTION}) at once, without touching the
 *       delegate. A {@code getConnection()} blocked longer than the connection block threshold (default 1 s)
 *       counts as a failure while it is still blocked. A connection handed out is not a verdict on the database
 *       (a pool hands out idle connections without asking it): the statements run on it are.</li>
 *   <li>On the connections it hands out, every statement execution ({@code execute}, {@code executeQuery},
 *       {@code executeUpdate}, {@code executeBatch}, their {@code Large} forms, on plain, prepared and callable
 *       statements) and every {@code commit()} asks the breaker too (refused: SQLState
 *       {@value CircuitBreakerOpenSqlException#REFUSED_EXECUTION}), and its outcome is recorded. One unanswered
 *       longer than the execution threshold (default 2 s) counts as a failure while it still waits.
 *       {@code rollback()}, the connection's {@code close()}, {@code prepareStatement} and {@code prepareCall}
 *       are never refused, but watched the same way (a driver that prepares on the server waits for it there).</li>
 *   <li><b>A stall</b>: a call unanswered for the execution threshold while no execution succeeded since it
 *       began, or calls failing back to back for that long with none succeeding, opens the breaker at once, so a single caller blocked on a black-holed database opens it in about
 *       two seconds. Statements that legitimately run longer than the execution threshold, with nothing else
 *       succeeding meanwhile, would look the same: raise the threshold above your slowest statement.</li>
 *   <li>A failure counts as the classifier says (default {@link SqlStateClassifier#defaults()}, by SQLState),
 *       then as the breaker's own predicates say; one that does not count reaches the caller all the same.</li>
 *   <li>What the delegate returns or throws reaches the caller unchanged; the pool's own behaviour (its
 *       timeouts, validation, eviction) is untouched. Connections and statements are {@code java.lang.reflect.Proxy}
 *       objects of their JDBC interface: {@code unwrap} and {@code isWrapperFor} answer for the proxy when it
 *       implements the interface asked for, and reach through to the driver otherwise. Result sets, metadata and
 *       everything else are the delegate's own.</li>
 * </ul>
 *
 * <p>Wrap the pool, not what the pool wraps: under a pool, a refusal (SQLState class 08) would make the pool
 * evict healthy connections. The checks run on the shared watchdog thread every 100 ms. Thread-safe, as the
 * delegate is.
 */
public final class CircuitBreakerDataSource implements DataSource, AutoCloseable {

    private final DataSource delegate;
    private final DatabaseGuard guard;
    private final Subscription watchdog;
    // Whether the delegate closed (or its close is under way): a close that threw is tried again by the next close().
    private final AtomicBoolean delegateClosed = new AtomicBoolean();

    CircuitBreakerDataSource(CircuitBreakerDataSourceBuilder b, CircuitBreaker breaker) {
        this.delegate = b.delegate;
        this.guard = new DatabaseGuard(breaker, b.classifier, b.clock != null ? b.clock : breaker.config().clock(),
                b.connectionBlockThreshold, b.executionThreshold);
        // Held weakly: a data source its application never closes (one per tenant, made and dropped) is collected.
        this.watchdog = b.watchdog ? Watchdog.registerWeakly(guard, DatabaseGuard::check) : () -> { };
    }

    /** Guards {@code dataSource} with {@code breaker}, the default thresholds and {@link SqlStateClassifier#defaults()}. */
    public static CircuitBreakerDataSource wrap(DataSource dataSource, CircuitBreaker breaker) {
        return builder(dataSource).breaker(breaker).build();
    }

    /**
     * Guards {@code dataSource} with the breaker called {@code database} of the global registry, created from
     * {@code BreakerPresets.postgres(database)} (5 failures, 30 s) if it is missing: a breaker per database.
     *
     * @throws IllegalArgumentException when a breaker of that name exists with another config, or the name is
     *         not a valid breaker name
     */
    public static CircuitBreakerDataSource forDatabase(DataSource dataSource, String database) {
        return builder(dataSource).database(database).build();
    }

    /** Like {@link #forDatabase(DataSource, String)}, with the breakers of {@code registry}. */
    public static CircuitBreakerDataSource forDatabase(DataSource dataSource, CircuitBreakerRegistry registry, String database) {
        return builder(dataSource).registry(registry).database(database).build();
    }

    /** Options: breaker or database, classifier, thresholds, clock. */
    public static CircuitBreakerDataSourceBuilder builder(DataSource dataSource) {
        return new CircuitBreakerDataSourceBuilder(dataSource);
    }

    /** The breaker that guards the database. */
    public CircuitBreaker breaker() {
        return guard.breaker();
    }

    /**
     * A connection from the delegate, if the breaker permits.
     *
     * @throws CircuitBreakerOpenSqlException when the breaker refuses (the delegate is not asked)
     * @throws SQLException what the delegate throws, unchanged; or, once this data source is closed, SQLState 08003,
     *                      caused by a {@link GuardClosedException} (a gated consumer then waits rather than handing the
     *                      record over as failed)
     */
    @Override
    public Connection getConnection() throws SQLException {
        return connect("getConnection()", null, null, false);
    }

    /** Like {@link #getConnection()}, as {@code user}. */
    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return connect("getConnection(user, password)", user, password, true);
    }

    private Connection connect(String call, String user, String password, boolean withUser) throws SQLException {
        if (guard.isClosed()) {
            GuardClosedException closed = new GuardClosedException("the CircuitBreakerDataSource of breaker '"
                    + guard.breaker().name() + "'");
            throw new SQLNonTransientConnectionException("The CircuitBreakerDataSource of breaker '"
                    + guard.breaker().name() + "' is closed", "08003", closed);
        }
        try {
            Connection connection = guard.connect(call,
                    () -> withUser ? delegate.getConnection(user, password) : delegate.getConnection());
            return connection == null ? null : GuardedConnection.wrap(connection, guard);
        } catch (SQLException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new SQLException(call + " failed", e); // a checked exception no DataSource declares
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    /** This data source when it is a {@code type}; otherwise what the delegate unwraps to (the pool, say). */
    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type != null && type.isInstance(this)) {
            return type.cast(this);
        }
        return delegate.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return (type != null && type.isInstance(this)) || delegate.isWrapperFor(type);
    }

    /**
     * Stops watching, then closes the delegate if it is {@link AutoCloseable} (a pool): this data source owns
     * the one it was given. Outcomes from then on do not count (a pool that closes fails the statements in
     * flight); {@code getConnection()} fails with SQLState 08003. Idempotent once the delegate closed: when its close
     * throws, the next call tries it again.
     *
     * @throws SQLException when the delegate's close fails (its exception, or one that wraps it)
     */
    @Override
    public void close() throws SQLException {
        if (guard.close()) {
            watchdog.close();
        }
        if (delegate instanceof AutoCloseable closeable && delegateClosed.compareAndSet(false, true)) {
            try {
                closeable.close();
            } catch (SQLException | RuntimeException e) {
                delegateClosed.set(false);
                throw e;
            } catch (Exception e) {
                delegateClosed.set(false);
                throw new SQLException("Closing the data source of breaker '" + guard.breaker().name() + "' failed", e);
            }
        }
    }

    /** Runs the watchdog's checks now; for tests that drive a {@code ManualClock}. */
    void checkNow() {
        guard.check();
    }

    @Override
    public String toString() {
        // The delegate's class only: a data source's own toString may show its URL, and with it a password.
        return "CircuitBreakerDataSource[" + guard.breaker().name() + ", " + delegate.getClass().getName() + "]";
    }
}
