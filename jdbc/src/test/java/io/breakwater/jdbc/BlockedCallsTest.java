package io.breakwater.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreakerState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Calls blocked on a dead database count while they are still blocked, and one blocked caller is enough to
 * open the breaker (the stall rule). Time is a ManualClock; the watchdog's check is run by hand.
 */
class BlockedCallsTest extends FakeDatabaseFixture {

    private FakeDatabase.Gate gate;

    @AfterEach
    void releaseBlockedCallers() {
        if (gate != null) {
            gate.release();
        }
    }

    /** Opens the breaker with five refused connections, lets its reset timeout pass, and lets connections through. */
    private void halfOpen() {
        database.onConnect = () -> { throw new SQLException("refused", "08001"); };
        for (int i = 0; i < 5; i++) {
            try {
                dataSource.getConnection();
            } catch (SQLException expected) {
                // counted
            }
        }
        advanceAndCheck(30_000);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        database.onConnect = () -> null;
    }

    private void advanceAndCheck(long millis) {
        clock.advanceMillis(millis);
        dataSource.checkNow();
    }

    @Test
    void aBlockedGetConnectionCountsAsAFailureAtTheBlockThresholdWhileStillBlocked() throws Exception {
        gate = new FakeDatabase.Gate(() -> null);
        database.onConnect = gate;
        CompletableFuture<Connection> caller = CompletableFuture.supplyAsync(this::connect);
        gate.awaitEntered();
        advanceAndCheck(999);
        assertThat(breaker.snapshot().failedCalls()).isZero();
        advanceAndCheck(1);
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
        assertThat(breaker.snapshot().lastFailure())
                .isEqualTo("getConnection() blocked for 1000 ms (connectionBlockThreshold=1000)");
        assertThat(caller).as("still blocked").isNotDone();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);

        gate.release();
        Connection late = caller.get(10, TimeUnit.SECONDS);
        assertThat(late).as("the late connection still reaches the caller").isNotNull();
        late.createStatement().executeQuery("SELECT 1");
        assertThat(breaker.snapshot().failedCalls()).as("the late answer is not counted again").isEqualTo(1);
    }

    @Test
    void aSingleCallerBlockedInGetConnectionOpensTheBreakerAtTheExecutionThreshold() throws Exception {
        gate = new FakeDatabase.Gate(() -> null);
        database.onConnect = gate;
        CompletableFuture.supplyAsync(this::connect);
        gate.awaitEntered();
        advanceAndCheck(1999);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        advanceAndCheck(1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().lastFailure())
                .isEqualTo("no database call answered for 2000 ms and none succeeded (executionThreshold=2000)");
    }

    @Test
    void aSingleCallerBlockedInAStatementOpensTheBreakerAtTheExecutionThreshold() throws Exception {
        Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        statement.executeQuery("SELECT 1"); // the database answered once, before it went dark
        advanceAndCheck(5_000);
        gate = new FakeDatabase.Gate(() -> { throw new SQLException("I/O error", "08006"); });
        database.onExecute = gate;
        CompletableFuture<Integer> caller = CompletableFuture.supplyAsync(() -> update(statement));
        gate.awaitEntered();
        advanceAndCheck(1999);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().failedCalls()).isZero();
        advanceAndCheck(1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().failedCalls()).as("the statement itself counts once").isEqualTo(1);
        assertThat(caller).isNotDone();

        gate.release();
        assertThat(caller).failsWithin(Duration.ofSeconds(10));
        assertThat(breaker.snapshot().failedCalls()).as("its failure, when it comes, is not counted again").isEqualTo(1);
    }

    @Test
    void aSlowStatementDoesNotStallTheBreakerWhileOthersSucceed() throws Exception {
        Connection slowConnection = dataSource.getConnection();
        Statement slow = slowConnection.createStatement();
        gate = new FakeDatabase.Gate(() -> 1);
        database.onExecute = gate;
        CompletableFuture<Integer> caller = CompletableFuture.supplyAsync(() -> update(slow));
        gate.awaitEntered();
        database.onExecute = () -> null;
        try (Connection quick = dataSource.getConnection(); Statement statement = quick.createStatement()) {
            for (int i = 0; i < 50; i++) {
                advanceAndCheck(100);
                statement.executeQuery("SELECT 1");
            }
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().failedCalls()).as("the slow one counts once, at its threshold").isEqualTo(1);
        gate.release();
        assertThat(caller.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void aRollbackBlockedOnADeadDatabaseIsWatchedToo() throws Exception {
        Connection connection = dataSource.getConnection();
        connection.createStatement().executeUpdate("INSERT");
        advanceAndCheck(5_000);
        gate = new FakeDatabase.Gate(() -> null);
        database.onRollback = gate;
        blockedCountsOnceAsAStall(connection::rollback);
    }

    /** Spring's {@code @Transactional(isolation = SERIALIZABLE)} sets it first: pgjdbc asks the server. */
    @Test
    void anIsolationLevelSetOnADeadDatabaseIsWatchedToo() throws Exception {
        Connection connection = dataSource.getConnection();
        connection.createStatement().executeUpdate("INSERT");
        advanceAndCheck(5_000);
        gate = new FakeDatabase.Gate(() -> null);
        database.onSetting = gate;
        blockedCountsOnceAsAStall(() -> connection.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE));
    }

    /**
     * A straggler's rollback from the outage, still blocked when the trials succeed: it has no permit, and its expiry
     * must not answer (and fail) a trial's, nor reopen the breaker.
     */
    @Test
    void aCleanupBlockedPastTheThresholdInHalfOpenDoesNotDecideTheTrials() throws Exception {
        Connection straggler = dataSource.getConnection();
        halfOpen();
        gate = new FakeDatabase.Gate(() -> null);
        database.onRollback = gate;
        CompletableFuture<Void> rollback = CompletableFuture.runAsync(() -> {
            try {
                straggler.rollback();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        gate.awaitEntered();
        try (Connection trial = dataSource.getConnection()) {
            trial.createStatement().executeUpdate("UPDATE t SET x = 1");
        }

        advanceAndCheck(2000);

        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        gate.release();
        rollback.get(10, TimeUnit.SECONDS);
    }

    /**
     * {@code call}, held in the database by {@link #gate} (armed), counts as one failure at the execution threshold
     * (2 s) while it is still blocked, which opens the breaker; it is never refused.
     */
    private void blockedCountsOnceAsAStall(SqlCall call) throws Exception {
        CompletableFuture<Void> caller = CompletableFuture.runAsync(() -> {
            try {
                call.run();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        gate.awaitEntered();
        advanceAndCheck(1999);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        advanceAndCheck(1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
        assertThat(breaker.snapshot().rejectedCalls()).as("never refused").isZero();
        gate.release();
        caller.get(10, TimeUnit.SECONDS);
    }

    @FunctionalInterface
    private interface SqlCall {
        void run() throws SQLException;
    }

    @Test
    void autoCommitTurnedOnInsideATransactionCommitsItAndABlockedOneIsWatched() throws Exception {
        Connection connection = dataSource.getConnection();
        connection.setAutoCommit(false);
        connection.createStatement().executeUpdate("INSERT");
        advanceAndCheck(5_000);
        gate = new FakeDatabase.Gate(() -> null);
        database.onExecute = gate;   // the commit that turning it on makes
        blockedCountsOnceAsAStall(() -> connection.setAutoCommit(true));
    }

    @Test
    void aPrepareBlockedOnADeadDatabaseIsWatchedButNeverRefused() throws Exception {
        Connection connection = dataSource.getConnection();
        connection.createStatement().executeUpdate("INSERT");
        advanceAndCheck(5_000);
        gate = new FakeDatabase.Gate(() -> null);
        database.onPrepare = gate;
        CompletableFuture<PreparedStatement> caller = CompletableFuture.supplyAsync(() -> {
            try {
                return connection.prepareStatement("INSERT INTO t VALUES (?)");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        gate.awaitEntered();
        advanceAndCheck(1999);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        advanceAndCheck(1);
        assertThat(breaker.state()).as("a server-side prepare that never answers is a stall").isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
        gate.release();
        PreparedStatement prepared = caller.get(10, TimeUnit.SECONDS);

        database.onPrepare = () -> null;
        PreparedStatement another = connection.prepareStatement("SELECT 1");
        assertThat(breaker.snapshot().rejectedCalls()).as("a prepare is never refused").isZero();
        assertThatThrownBy(prepared::executeUpdate).isInstanceOf(CircuitBreakerOpenSqlException.class);
        assertThatThrownBy(another::executeQuery).isInstanceOf(CircuitBreakerOpenSqlException.class);
    }

    @Test
    void aPrepareThatFailsWithAConnectionErrorCountsAndOneThatSucceedsIsNoEvidence() throws Exception {
        Connection connection = dataSource.getConnection();
        database.onPrepare = () -> { throw new SQLException("connection reset", "08006"); };
        assertThatThrownBy(() -> connection.prepareCall("{call p()}")).isInstanceOf(SQLException.class)
                .hasMessage("connection reset");
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
        database.onPrepare = () -> null;
        connection.prepareStatement("SELECT 1");
        assertThat(breaker.snapshot().successfulCalls()).as("preparing says nothing of the database").isZero();
    }

    @Test
    void aBlockedStatementInHalfOpenReopensTheBreaker() throws Exception {
        halfOpen();
        Connection connection = dataSource.getConnection();
        gate = new FakeDatabase.Gate(() -> 1);
        database.onExecute = gate;
        Statement statement = connection.createStatement();
        CompletableFuture.supplyAsync(() -> update(statement));
        gate.awaitEntered();
        advanceAndCheck(2000);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().lastFailure())
                .isEqualTo("executeUpdate() unanswered for 2000 ms (executionThreshold=2000)");
    }

    @Test
    void statementsFailingBackToBackWithTheCallersOwnErrorNeverMakeAStall() throws Exception {
        // An import whose every row violates a unique key: each statement takes 30 ms and fails with 23505, which
        // does not count; the watchdog ticks while each one runs.
        database.onExecute = () -> {
            advanceAndCheck(30);
            throw new SQLException("duplicate key value violates unique constraint", "23505");
        };
        Connection connection = dataSource.getConnection();
        for (int i = 0; i < 100; i++) {
            try (Statement statement = connection.createStatement()) {
                statement.executeUpdate("INSERT INTO orders VALUES (1)");
            } catch (SQLException expected) {
                assertThat(expected.getSQLState()).isEqualTo("23505");
            }
            dataSource.checkNow();
        }
        assertThat(breaker.state()).as("3 s of the caller's own errors").isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().failedCalls()).isZero();
    }

    @Test
    void statementsFailingBackToBackForTheExecutionThresholdWithTheDatabasesErrorAreAStall() throws Exception {
        // Each statement waits 1.5 s for a socket timeout and fails with 08006: under the 2 s execution threshold,
        // so none stays unanswered that long; nothing succeeds.
        database.onExecute = () -> {
            advanceAndCheck(1_500);
            throw new SQLException("An I/O error occurred while sending to the backend", "08006");
        };
        Connection connection = dataSource.getConnection();
        for (int i = 0; i < 2; i++) {
            try (Statement statement = connection.createStatement()) {
                statement.executeUpdate("INSERT INTO orders VALUES (1)");
            } catch (SQLException expected) {
                assertThat(expected.getSQLState()).isEqualTo("08006");
            }
        }
        dataSource.checkNow();
        assertThat(breaker.state()).as("two failures, under the threshold of 5").isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().failedCalls()).isLessThan(5);
    }

    private Connection connect() {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int update(Statement statement) {
        try {
            return statement.executeUpdate("UPDATE orders SET state = 'x'");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
