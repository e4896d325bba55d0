package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.StateTransition;
import io.breakwater.jdbc.CircuitBreakerDataSource;
import io.breakwater.jdbc.CircuitBreakerOpenSqlException;
import io.breakwater.testkit.FaultProxy;
import java.net.InetSocketAddress;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The database guard against this machine's PostgreSQL, reached through a {@link FaultProxy}: a HikariCP pool of
 * 4 connections over pgjdbc (their defaults otherwise) wrapped by {@link CircuitBreakerDataSource} with the
 * postgres preset and the default thresholds, driven by one caller thread that inserts a row every 20 ms. Each
 * test has a table of its own, dropped after it.
 */
@Timeout(120)
@Timed
class DatabaseOutageIT {

    static final Duration TARGET = Duration.ofMillis(2_500);

    private final CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
    private String table;
    private FaultProxy proxy;
    private CircuitBreakerDataSource db;
    private BreakerWatch watch;
    private DatabaseCaller caller;

    private String testName;

    @BeforeEach
    void start(TestInfo test) throws Exception {
        testName = test.getTestMethod().orElseThrow().getName();
        table = Postgres.createTable("bw_outage");
        proxy = new FaultProxy("postgres", new InetSocketAddress(Postgres.HOST, Postgres.PORT));
    }

    private void guard(DataSource dataSource, CircuitBreaker breaker) {
        db = breaker == null ? CircuitBreakerDataSource.forDatabase(dataSource, registry, "orders-db")
                : CircuitBreakerDataSource.wrap(dataSource, breaker);
        watch = new BreakerWatch("orders-db", db.breaker());
        caller = new DatabaseCaller(db, table);
        await().atMost(Duration.ofSeconds(10)).until(() -> caller.succeeded() >= 10);
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.pass(); // blocked callers finish, so nothing is left hanging
        }
        if (caller != null) {
            caller.close();
        }
        if (watch != null) {
            watch.close();
        }
        if (db != null) {
            db.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        Postgres.dropTable(table);
    }

    private long injected(Runnable fault) {
        long at = System.nanoTime();
        fault.run();
        return at;
    }

    private long awaitOpen(long since) {
        await().atMost(TARGET.plusSeconds(10)).until(() -> watch.hasOpened(since));
        long millis = watch.millisToOpen(since, Long.MAX_VALUE).orElseThrow();
        System.out.printf("%s.%s: OPEN %d ms after the fault (%s)%n", getClass().getSimpleName(), testName, millis,
                db.breaker().snapshot().lastFailure());
        return millis;
    }

    @Test
    void cutConnectionsOpenTheBreakerWithinTwoAndAHalfSeconds() {
        guard(Postgres.pool("cut", "127.0.0.1", proxy.port(), 4), null);
        long fault = injected(proxy::cut);
        assertThat(awaitOpen(fault)).isLessThanOrEqualTo(TARGET.toMillis());
        assertRefusedAtOnce();
    }

    /** A new caller is refused without waiting, while the one inside the pool waits for the pool's own timeout. */
    private void assertRefusedAtOnce() {
        long start = System.nanoTime();
        assertThatThrownBy(db::getConnection).isInstanceOf(CircuitBreakerOpenSqlException.class)
                .hasMessageStartingWith("Refused getConnection(): Circuit breaker 'orders-db' is OPEN");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(100);
    }

    @Test
    void aBlackHoleWithOneCallerOpensTheBreakerWithinTwoAndAHalfSeconds() {
        guard(Postgres.pool("black-hole", "127.0.0.1", proxy.port(), 4), null);
        long fault = injected(proxy::blackHole);
        assertThat(awaitOpen(fault)).isLessThanOrEqualTo(TARGET.toMillis());
        assertThat(db.breaker().snapshot().lastFailure()).as("a single caller, blocked: the stall rule")
                .contains("no database call answered for");
        assertRefusedAtOnce();
    }

    @Test
    void passAgainClosesTheBreakerAfterTheResetTimeout() {
        Duration reset = Duration.ofSeconds(3);
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.from(BreakerPresets.postgres("orders-db"))
                .resetTimeout(reset).build());
        guard(Postgres.pool("recovery", "127.0.0.1", proxy.port(), 4), breaker);
        long fault = injected(proxy::blackHole);
        awaitOpen(fault);
        long passed = injected(proxy::pass);
        // The listener hears a transition just after the state changes: wait for what it heard, not for the state.
        await().atMost(reset.plusSeconds(10)).until(() -> watch.between(fault, System.nanoTime()).stream()
                .anyMatch(t -> t.to() == CircuitBreakerState.CLOSED));
        List<StateTransition> moves = watch.between(fault, System.nanoTime());
        assertThat(moves).extracting(StateTransition::to)
                .containsExactly(CircuitBreakerState.OPEN, CircuitBreakerState.HALF_OPEN, CircuitBreakerState.CLOSED);
        List<BreakerWatch.Heard> heard = watch.heard();
        // Timed by the transitions' own instants (taken as the breaker moved), not by when the listener heard them.
        long openToHalfOpen = Duration.between(heard.get(0).transition().at(), heard.get(1).transition().at()).toMillis();
        assertThat(openToHalfOpen).as("trials start only once the reset timeout has passed")
                .isGreaterThanOrEqualTo(reset.toMillis() - 50);
        System.out.printf("%s.%s: HALF_OPEN %d ms after OPEN, CLOSED %d ms after the pass%n", getClass().getSimpleName(),
                testName, openToHalfOpen, (heard.get(2).nanos() - passed) / 1_000_000);
        long before = caller.succeeded();
        await().atMost(Duration.ofSeconds(5)).until(() -> caller.succeeded() > before + 10);
    }

    @Test
    void threeHundredMillisecondsOfLatencyEachWayNeverOpenTheBreaker() {
        guard(Postgres.pool("latency", "127.0.0.1", proxy.port(), 4), null);
        proxy.latency(Duration.ofMillis(300));
        long before = caller.succeeded();
        await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(12))
                .until(() -> db.breaker().state() == CircuitBreakerState.CLOSED);
        assertThat(watch.heard()).as("no transition at all").isEmpty();
        assertThat(caller.succeeded() - before).as("the inserts went on, slowly").isGreaterThan(5);
        System.out.printf("%s.%s: %d inserts in 10 s at 300 ms each way, %d failed, breaker %s%n", getClass().getSimpleName(),
                testName, caller.succeeded() - before, db.breaker().snapshot().failedCalls(), db.breaker().state());
    }

    @Test
    void aUniqueKeyViolationNeverOpensTheBreaker() throws Exception {
        guard(Postgres.pool("unique", "127.0.0.1", proxy.port(), 4), null);
        caller.close();
        long failedBefore = db.breaker().snapshot().failedCalls();
        for (int i = 0; i < 100; i++) {
            try (Connection c = db.getConnection();
                 PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (k, v) VALUES (1, 'again')")) {
                insert.executeUpdate();
            } catch (SQLException e) {
                assertThat(e.getSQLState()).isEqualTo("23505");
            }
        }
        try (Connection c = db.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (k, v) VALUES (?, 'batch')")) {
            for (long k : new long[] {-1, -2, 1, -3}) {
                insert.setLong(1, k);
                insert.addBatch();
            }
            assertThatThrownBy(insert::executeBatch).isInstanceOf(BatchUpdateException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"));
        }
        assertThat(db.breaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(db.breaker().snapshot().failedCalls()).isEqualTo(failedBefore);
        assertThat(db.breaker().snapshot().ignoredCalls()).isGreaterThanOrEqualTo(101);
    }

    @Test
    void theDriversOwnObjectsAreReachedThroughThePoolAndTheGuard() throws Exception {
        guard(Postgres.pool("unwrap", "127.0.0.1", proxy.port(), 4), null);
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT 1")) {
            assertThat(c.unwrap(Connection.class)).isSameAs(c);
            assertThat(c.isWrapperFor(PGConnection.class)).isTrue();
            assertThat(c.unwrap(PGConnection.class).getBackendPID()).isPositive();
            assertThat(s.unwrap(PGStatement.class)).isNotNull();
            assertThat(s.getConnection()).isSameAs(c);
            assertThat(db.unwrap(HikariDataSource.class).getPoolName()).isEqualTo("unwrap");
        }
    }

    @Test
    void aDriversOwnDataSourceWithoutAPoolOpensOnACutToo() {
        PGSimpleDataSource plain = new PGSimpleDataSource();
        plain.setUrl(Postgres.url("127.0.0.1", proxy.port()));
        plain.setUser(Postgres.USER);
        plain.setPassword(Postgres.PASSWORD);
        guard(plain, null);
        long fault = injected(proxy::cut);
        assertThat(awaitOpen(fault)).isLessThanOrEqualTo(TARGET.toMillis());
    }

    @Test
    void thePoolsOwnTimeoutReachesTheCallerUnchanged() throws Exception {
        HikariDataSource hikari = Postgres.pool("own-timeout", "127.0.0.1", proxy.port(), 1);
        hikari.setConnectionTimeout(1_500);
        guard(hikari, CircuitBreaker.of(CircuitBreakerConfig.from(BreakerPresets.postgres("orders-db"))
                .failureThreshold(1_000).build()));
        caller.close();
        proxy.cut();
        SQLException thrown = null;
        long start = System.nanoTime();
        for (int i = 0; i < 3 && thrown == null; i++) { // the pool's only connection fails first, then Hikari waits
            try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("SELECT 1")) {
                s.executeQuery();
            } catch (SQLException e) {
                thrown = e instanceof SQLTransientConnectionException ? e : null;
            }
        }
        assertThat((Throwable) thrown).as("Hikari's own timeout, as Hikari throws it").isNotNull()
                .hasMessageContaining("Connection is not available, request timed out after");
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(1_400);
    }
}
