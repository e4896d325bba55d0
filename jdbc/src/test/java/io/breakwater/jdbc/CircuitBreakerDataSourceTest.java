package io.breakwater.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Refusals, outcomes and what passes through unchanged; time is a ManualClock and the watchdog is driven by hand. */
class CircuitBreakerDataSourceTest extends FakeDatabaseFixture {


    private static SQLException state(String sqlState) {
        return new SQLException("failed with " + sqlState, sqlState);
    }

    @Test
    void getConnectionIsRefusedAtOnceWhileOpenWithoutAskingTheDelegate() {
        breaker.forceOpen();
        assertThatThrownBy(dataSource::getConnection)
                .isInstanceOf(CircuitBreakerOpenSqlException.class)
                .isInstanceOf(SQLTransientConnectionException.class)
                .hasMessage("Refused getConnection(): Circuit breaker 'orders-db' is FORCED_OPEN; no call is permitted until it is reset")
                .hasCauseInstanceOf(CircuitBreakerOpenException.class)
                .satisfies(e -> {
                    CircuitBreakerOpenSqlException refused = (CircuitBreakerOpenSqlException) e;
                    assertThat(refused.getSQLState()).isEqualTo("08001");
                    assertThat(refused.breakerName()).isEqualTo("orders-db");
                    assertThat(refused.openException()).isSameAs(refused.getCause());
                    assertThat(refused.getStackTrace()).as("cheap: no stack trace by default").isEmpty();
                });
        assertThat(database.connects).hasValue(0);
        assertThat(breaker.snapshot().rejectedCalls()).isEqualTo(1);
    }

    @Test
    void theRefusalNamesWhenTheBreakerNextAdmitsACall() throws Exception {
        for (int i = 0; i < 5; i++) {
            database.onConnect = () -> { throw state("08001"); };
            assertThatThrownBy(dataSource::getConnection).hasMessage("failed with 08001");
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThatThrownBy(() -> dataSource.getConnection("app", "secret"))
                .isInstanceOf(CircuitBreakerOpenSqlException.class)
                .hasMessageStartingWith("Refused getConnection(user, password): Circuit breaker 'orders-db' is OPEN; "
                        + "next call permitted at 2026-01-01T00:00:30Z (in 30.0 s)");
    }

    @Test
    void turningAutoCommitOnToCleanUpAfterARollbackIsNeverRefused() throws Exception {
        Connection connection = dataSource.getConnection();
        connection.setAutoCommit(false);
        connection.rollback();
        breaker.forceOpen();
        connection.setAutoCommit(true);
        assertThat(connection.getAutoCommit()).isTrue();
        assertThat(breaker.snapshot().rejectedCalls()).isZero();
        connection.close();
    }

    @Test
    void statementsAndCommitsOnAHeldConnectionAreRefusedWhileOpenButRollbackAndCloseGoThrough() throws Exception {
        Connection connection = dataSource.getConnection();
        PreparedStatement insert = connection.prepareStatement("INSERT INTO orders VALUES (?)");
        breaker.forceOpen();
        assertThatThrownBy(insert::executeUpdate).isInstanceOf(CircuitBreakerOpenSqlException.class)
                .hasMessageStartingWith("Refused executeUpdate(): Circuit breaker 'orders-db' is FORCED_OPEN")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08000");
        assertThatThrownBy(connection::commit).isInstanceOf(CircuitBreakerOpenSqlException.class)
                .hasMessageStartingWith("Refused commit()");
        assertThat(database.executions).hasValue(0);
        connection.rollback();
        insert.close();
        connection.close();
        assertThat(database.rollbacks).hasValue(1);
        assertThat(database.statementsClosed).hasValue(1);
        assertThat(database.connectionsClosed).hasValue(1);
    }

    @Test
    void fiveConnectionFailuresOpenTheBreakerAndReachTheCallerUnchanged() {
        SQLException refused = state("08001");
        database.onConnect = () -> { throw refused; };
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(dataSource::getConnection).isSameAs(refused);
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().lastFailure()).contains("java.sql.SQLException: failed with 08001");
    }

    @Test
    void aUniqueKeyViolationNeverOpensTheBreaker() throws Exception {
        database.onExecute = () -> { throw state("23505"); };
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO orders VALUES (?)")) {
            for (int i = 0; i < 100; i++) {
                assertThatThrownBy(insert::executeUpdate).hasMessage("failed with 23505");
            }
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().ignoredCalls()).isEqualTo(100);
        assertThat(breaker.snapshot().failedCalls()).isZero();
    }

    @Test
    void failingExecutionsOfEveryKindCountAndSuccessesAreRecorded() throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            Statement plain = connection.createStatement();
            PreparedStatement prepared = connection.prepareStatement("UPDATE t SET x = 1");
            CallableStatement callable = connection.prepareCall("{call f()}");
            assertThat(plain.executeQuery("SELECT 1")).isSameAs(database.resultSet);
            assertThat(prepared.executeUpdate()).isEqualTo(1);
            assertThat(callable.execute()).isFalse();
            assertThat(breaker.snapshot().successfulCalls()).isEqualTo(3);

            database.onExecute = () -> { throw state("57P01"); };
            assertThatThrownBy(() -> plain.executeBatch()).hasMessage("failed with 57P01");
            assertThatThrownBy(() -> prepared.executeLargeUpdate()).hasMessage("failed with 57P01");
            assertThatThrownBy(() -> callable.executeQuery()).hasMessage("failed with 57P01");
            assertThatThrownBy(() -> plain.execute("SELECT 1")).hasMessage("failed with 57P01");
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThatThrownBy(connection::commit).hasMessage("failed with 57P01");
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        }
    }

    @Test
    void aConnectionHandedOutIsNoVerdictOnTheDatabase() throws Exception {
        try (Connection held = dataSource.getConnection(); Statement statement = held.createStatement()) {
            database.onExecute = () -> { throw state("57P03"); };   // cannot connect now: the connection stays usable
            for (int i = 0; i < 4; i++) {
                assertThatThrownBy(() -> statement.executeUpdate("DELETE FROM t")).hasMessage("failed with 57P03");
            }
            dataSource.getConnection().close(); // a pool hands out an idle connection without asking the database
            assertThatThrownBy(() -> statement.executeUpdate("DELETE FROM t")).hasMessage("failed with 57P03");
        }
        assertThat(breaker.state()).as("five consecutive failures: the getConnection between did not reset them")
                .isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void halfOpenClosesAfterThreeSuccessfulStatementsAndGetConnectionTakesNoTrialSlot() throws Exception {
        database.onConnect = () -> { throw state("08001"); };
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(dataSource::getConnection).isInstanceOf(SQLException.class);
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        clock.advance(Duration.ofSeconds(30));
        dataSource.checkNow();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        database.onConnect = () -> null;
        try (Connection a = dataSource.getConnection(); Connection b = dataSource.getConnection();
             Connection c = dataSource.getConnection(); Connection d = dataSource.getConnection()) {
            a.createStatement().executeQuery("SELECT 1");
            b.createStatement().executeQuery("SELECT 1");
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
            c.createStatement().executeQuery("SELECT 1");
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            d.createStatement().executeQuery("SELECT 1");
        }
    }

    @Test
    void whatTheDelegateReturnsPassesThroughAndProxiesKeepTheirInterfaces() throws Exception {
        Connection connection = dataSource.getConnection();
        Statement plain = connection.createStatement();
        PreparedStatement prepared = connection.prepareStatement("SELECT ?");
        CallableStatement callable = connection.prepareCall("{call f(?)}");
        assertThat(plain).isNotInstanceOf(PreparedStatement.class);
        assertThat(prepared).isNotInstanceOf(CallableStatement.class);
        assertThat(callable).isInstanceOf(CallableStatement.class);
        assertThat(plain.getConnection()).as("a statement leads back to the guarded connection").isSameAs(connection);
        assertThat(callable.getConnection()).isSameAs(connection);
        assertThat(connection).isEqualTo(connection).isNotEqualTo(dataSource.getConnection());
        assertThat(connection.hashCode()).isEqualTo(System.identityHashCode(connection));
        assertThat(connection.toString()).isEqualTo("fake connection");
        assertThat(prepared.toString()).isEqualTo("fake statement");
        database.onExecute = () -> 42;
        assertThat(prepared.executeUpdate()).isEqualTo(42);
        plain.close();
        assertThatThrownBy(plain::getConnection).as("the delegate's own checks still apply")
                .hasMessage("statement is closed");
    }

    @Test
    void unwrapAnswersForTheProxyAndReachesTheDriverOtherwise() throws Exception {
        Connection connection = dataSource.getConnection();
        assertThat(connection.unwrap(Connection.class)).isSameAs(connection);
        assertThat(connection.isWrapperFor(Connection.class)).isTrue();
        FakeDatabase.VendorConnection vendor = connection.unwrap(FakeDatabase.VendorConnection.class);
        assertThat(vendor).isNotSameAs(connection);
        assertThat(vendor.vendor()).isEqualTo("fake");
        assertThat(connection.isWrapperFor(FakeDatabase.VendorConnection.class)).isTrue();
        assertThat(connection.isWrapperFor(String.class)).isFalse();

        assertThat(dataSource.unwrap(CircuitBreakerDataSource.class)).isSameAs(dataSource);
        assertThat(dataSource.unwrap(FakeDatabase.class)).isSameAs(database);
        assertThat(dataSource.isWrapperFor(FakeDatabase.class)).isTrue();
        assertThat(dataSource.isWrapperFor(String.class)).isFalse();
        assertThatThrownBy(() -> dataSource.unwrap(String.class)).isInstanceOf(SQLException.class);
    }

    @Test
    void aClassifierThatThrowsCountsTheFailure() throws Exception {
        CircuitBreakerDataSource guarded = CircuitBreakerDataSource.builder(database).breaker(breaker).watchdog(false)
                .classifier(t -> { throw new IllegalStateException("classifier bug"); }).build();
        database.onExecute = () -> { throw state("23505"); };
        try (Connection connection = guarded.getConnection(); Statement statement = connection.createStatement()) {
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> statement.executeUpdate("INSERT")).hasMessage("failed with 23505");
            }
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void closingClosesTheDelegateOnceAndLaterOutcomesDoNotCount() throws Exception {
        Connection held = dataSource.getConnection();
        Statement statement = held.createStatement();
        dataSource.close();
        dataSource.close();
        assertThat(database.closes).hasValue(1);
        database.onExecute = () -> { throw state("08006"); };
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> statement.executeUpdate("DELETE FROM t")).hasMessage("failed with 08006");
        }
        assertThat(breaker.state()).as("a closing pool fails what is in flight: not the database's fault")
                .isEqualTo(CircuitBreakerState.CLOSED);
        assertThatThrownBy(dataSource::getConnection).isInstanceOf(SQLNonTransientConnectionException.class)
                .hasMessage("The CircuitBreakerDataSource of breaker 'orders-db' is closed")
                .hasCauseInstanceOf(io.breakwater.breaker.GuardClosedException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08003");
        try {
            dataSource.getConnection();
        } catch (SQLException closed) {
            assertThat(SqlStateClassifier.defaults().test(closed)).as("nothing attempted: it never counts").isFalse();
        }
    }

    /**
     * A connection that broke (SQL state class 08) is one failure: the rollback and setAutoCommit that clean up after
     * it, and a retry on it, fail with "connection is closed" without asking the database, and do not count again.
     * Two such connections no longer open a breaker of five failures.
     */
    @Test
    void aBrokenConnectionCountsOnceNotAgainForTheCleanupAndRetriesOnIt() throws Exception {
        for (int c = 0; c < 2; c++) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                database.onExecute = () -> { throw state("08006"); };
                database.onRollback = () -> { throw state("08003"); };
                PreparedStatement insert = connection.prepareStatement("INSERT INTO orders VALUES (1)");
                assertThatThrownBy(insert::executeUpdate).hasMessage("failed with 08006");
                assertThatThrownBy(connection::rollback).hasMessage("failed with 08003");
                assertThatThrownBy(() -> connection.setAutoCommit(true)).hasMessage("failed with 08006");
                assertThatThrownBy(insert::executeUpdate).hasMessage("failed with 08006");
            }
        }
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(2);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);

        for (int c = 0; c < 3; c++) {   // each a connection of its own: each counts
            try (Connection connection = dataSource.getConnection()) {
                assertThatThrownBy(() -> connection.createStatement().execute("SELECT 1")).hasMessage("failed with 08006");
            }
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    /** A driver that reconnects: once a statement succeeds on the connection again, its next break counts. */
    @Test
    void aConnectionThatAnswersAgainCountsItsNextBreak() throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (int i = 0; i < 3; i++) {
                database.onExecute = () -> { throw state("08006"); };
                assertThatThrownBy(() -> statement.execute("SELECT 1")).hasMessage("failed with 08006");
                database.onExecute = () -> null;
                statement.execute("SELECT 1");
            }
        }
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(3);
    }

    @Test
    void aFailureThatLeavesTheConnectionUsableCountsEachTime() throws Exception {
        database.onExecute = () -> { throw state("53300"); };   // too many connections: the connection stays usable
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> statement.execute("SELECT pg_sleep(60)")).hasMessage("failed with 53300");
            }
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void aCallersUseOfAConnectionItClosedDoesNotCount() throws Exception {
        Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        connection.close();
        database.onExecute = () -> { throw state("08003"); };   // a pool's answer to a use after close
        database.onPrepare = () -> { throw state("08003"); };
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> statement.execute("SELECT 1")).hasMessage("failed with 08003");
            assertThatThrownBy(() -> connection.prepareStatement("SELECT 1")).hasMessage("failed with 08003");
            assertThatThrownBy(connection::commit).hasMessage("failed with 08003");
        }
        assertThat(breaker.snapshot().failedCalls()).isZero();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    /** A cleanup has no permit: in HALF_OPEN its failure must not answer (and fail) a trial's permit. */
    @Test
    void aRollbackFailingInHalfOpenDoesNotDecideTheTrials() throws Exception {
        Connection straggler = dataSource.getConnection();   // from before the outage, held on
        straggler.setAutoCommit(false);
        database.onConnect = () -> { throw state("08001"); };
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(dataSource::getConnection).isInstanceOf(SQLException.class);
        }
        clock.advance(Duration.ofSeconds(30));
        dataSource.checkNow();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        database.onConnect = () -> null;
        database.onRollback = () -> { throw state("57P01"); };

        try (Connection trial = dataSource.getConnection()) {
            assertThatThrownBy(straggler::rollback).hasMessage("failed with 57P01");
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
            trial.createStatement().execute("SELECT 1");
        }
        assertThat(breaker.snapshot().successfulCalls()).isEqualTo(1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
    }

    @Test
    void aCloseOfTheDelegateThatFailedIsTriedAgainByTheNextClose() throws Exception {
        AtomicInteger tries = new AtomicInteger();
        DataSource pool = (DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class, AutoCloseable.class}, (p, m, a) -> {
                    if (m.getName().equals("close") && tries.incrementAndGet() == 1) {
                        throw new SQLException("pool busy");
                    }
                    return m.getName().equals("toString") ? "pool" : null;
                });
        CircuitBreakerDataSource guarded = CircuitBreakerDataSource.builder(pool).breaker(CircuitBreaker.ofDefaults("pool-db"))
                .watchdog(false).build();

        assertThatThrownBy(guarded::close).hasMessage("pool busy");
        guarded.close();
        guarded.close();

        assertThat(tries).hasValue(2);
    }

    @Test
    void noConnectionBuilderBypassesTheGuard() {
        assertThatThrownBy(dataSource::createConnectionBuilder).isInstanceOf(java.sql.SQLFeatureNotSupportedException.class)
                .hasMessage("createConnectionBuilder not implemented");
    }

    @Test
    void toStringNamesTheBreakerAndTheDelegatesClassOnly() {
        assertThat(dataSource).hasToString("CircuitBreakerDataSource[orders-db, io.breakwater.jdbc.FakeDatabase]");
    }

    @Test
    void aDataSourceNeverClosedIsNotKeptAliveByTheWatchdog() throws Exception {
        CircuitBreaker tenant = CircuitBreaker.ofDefaults("tenant-7");
        CircuitBreakerDataSource forgotten = CircuitBreakerDataSource.wrap(new FakeDatabase(), tenant);
        forgotten.getConnection().close();
        java.lang.ref.WeakReference<CircuitBreaker> collected = new java.lang.ref.WeakReference<>(tenant);
        forgotten = null;
        tenant = null;
        // Registered with its guard, the watchdog's thread held the guard, its breaker and its tracker for good.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return collected.get() == null;
        });
    }
}
