package io.breakwater.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqlStateClassifierTest {

    private final SqlStateClassifier classifier = SqlStateClassifier.defaults();

    private static SQLException state(String sqlState) {
        return new SQLException("failed with " + sqlState, sqlState);
    }

    @ParameterizedTest
    @ValueSource(strings = {"08000", "08001", "08003", "08006", "08P01", "53000", "53100", "53200", "53300", "57P01",
            "57P02", "57P03"})
    void connectionFailuresInsufficientResourcesAndShutdownsCount(String sqlState) {
        assertThat(classifier.test(state(sqlState))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"23505", "23503", "23502", "42601", "42P01", "42501", "22001", "22P02", "22012", "40001",
            "40P01"})
    void integritySyntaxDataAndRollbackErrorsDoNotCount(String sqlState) {
        assertThat(classifier.test(state(sqlState))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"57014", "57P04", "25006", "XX000", "0A000", "P0001"})
    void statesOutsideTheTableDoNotCountByDefault(String sqlState) {
        assertThat(classifier.test(state(sqlState))).isFalse();
    }

    @Test
    void lowerCaseStatesAreReadAsUpperCase() {
        assertThat(classifier.test(state("57p01"))).isTrue();
    }

    @Test
    void timeoutsAndConnectionExceptionsCountByTypeWhenTheStateDecidesNothing() {
        assertThat(classifier.test(new SQLTimeoutException("query timed out"))).isTrue();
        assertThat(classifier.test(new SQLTimeoutException("canceled", "57014"))).isTrue();
        assertThat(classifier.test(new SQLTransientConnectionException("pool timed out"))).isTrue();
        assertThat(classifier.test(new SQLNonTransientConnectionException("gone"))).isTrue();
        assertThat(classifier.test(new SQLRecoverableException("reconnect"))).isTrue();
        assertThat(classifier.test(new ConnectException("Connection refused"))).isTrue();
        assertThat(classifier.test(new SQLException("no state"))).isFalse();
        assertThat(classifier.test(new IllegalStateException("a bug"))).isFalse();
    }

    @Test
    void aCodeInTheTableWinsOverTheType() {
        SqlStateClassifier custom = SqlStateClassifier.builder().doesNotCount("57014").build();
        assertThat(custom.test(new SQLTimeoutException("canceled", "57014"))).isFalse();
        assertThat(classifier.test(new SQLIntegrityConstraintViolationException("dup", "23505"))).isFalse();
    }

    @Test
    void aFullCodeWinsOverItsClass() {
        SqlStateClassifier custom = SqlStateClassifier.builder().doesNotCount("08P01").build();
        assertThat(custom.test(state("08P01"))).isFalse();
        assertThat(custom.test(state("08006"))).isTrue();
    }

    @Test
    void causesAreWalkedOutermostFirst() {
        assertThat(classifier.test(new RuntimeException("wrapped", state("08006")))).isTrue();
        assertThat(classifier.test(new UncheckedIOException(new ConnectException("refused")))).isTrue();
        assertThat(classifier.test(new RuntimeException("wrapped", state("23505")))).isFalse();
        assertThat(classifier.test(new SQLException("dup", "23505", state("08006"))))
                .as("the outer state decides").isFalse();
    }

    @Test
    void nextExceptionsAreWalkedAfterTheCauses() {
        BatchUpdateException batch = new BatchUpdateException("batch failed", (String) null, new int[0]);
        batch.setNextException(state("08006"));
        assertThat(classifier.test(batch)).isTrue();

        BatchUpdateException duplicate = new BatchUpdateException("batch failed", "23505", new int[0]);
        duplicate.setNextException(state("08006"));
        assertThat(classifier.test(duplicate)).isFalse();

        SQLException noState = new SQLException("outer", null, new IllegalStateException("undecided"));
        noState.setNextException(state("57P01"));
        assertThat(classifier.test(noState)).isTrue();
    }

    @Test
    void aRefusalNeverCountsWhateverItsState() {
        CircuitBreakerOpenException open = CircuitBreakerOpenException.of("db", CircuitBreakerState.OPEN,
                Instant.now(), Instant.now(), false);
        assertThat(classifier.test(open)).isFalse();
        assertThat(classifier.test(new CircuitBreakerOpenSqlException("getConnection()",
                CircuitBreakerOpenSqlException.REFUSED_CONNECTION, open, false))).isFalse();
        assertThat(classifier.test(new RuntimeException(new CircuitBreakerOpenSqlException("executeUpdate()",
                CircuitBreakerOpenSqlException.REFUSED_EXECUTION, open, false)))).isFalse();
    }

    @Test
    void aCycleOfNextExceptionsEnds() {
        SQLException a = new SQLException("a");
        SQLException b = new SQLException("b");
        a.setNextException(b);
        b.setNextException(a);
        assertThat(classifier.test(a)).isFalse();
    }

    @Test
    void aLongChainIsReadOnlyAsFarAsTheLimit() {
        SQLException head = new SQLException("row 0");
        SQLException tail = head;
        for (int i = 1; i < 10_000; i++) {
            SQLException next = new SQLException("row " + i);
            tail.setNextException(next);
            tail = next;
        }
        tail.setNextException(state("08006"));
        assertThat(classifier.test(head)).as("the 10,001st exception is past the limit").isFalse();

        SQLException near = new SQLException("row 0");
        near.setNextException(state("08006"));
        assertThat(classifier.test(near)).isTrue();
    }

    @Test
    void theTableCanBeChanged() {
        SqlStateClassifier custom = SqlStateClassifier.builder().counts("25006", "58").remove("53").otherwise(true).build();
        assertThat(custom.test(state("25006"))).as("read-only standby after a failover").isTrue();
        assertThat(custom.test(state("58030"))).isTrue();
        assertThat(custom.test(state("53300"))).as("removed: decided by the default now").isTrue();
        assertThat(custom.test(new IllegalStateException())).isTrue();
        assertThat(custom.table()).containsEntry("25006", true).doesNotContainKey("53");
        assertThat(custom.toBuilder().otherwise(false).build().test(state("53300"))).isFalse();
        assertThat(SqlStateClassifier.builder().clear().build().test(state("08006")))
                .as("an empty table decides nothing: no type rule for a plain SQLException").isFalse();
        assertThat(classifier.table()).as("the default is untouched").containsEntry("53", true);
    }

    @Test
    void theDefaultTableIsTheDocumentedOne() {
        assertThat(classifier.table()).containsExactly(
                java.util.Map.entry("08", true), java.util.Map.entry("22", false), java.util.Map.entry("23", false),
                java.util.Map.entry("40", false), java.util.Map.entry("42", false), java.util.Map.entry("53", true),
                java.util.Map.entry("57P01", true), java.util.Map.entry("57P02", true), java.util.Map.entry("57P03", true));
        assertThat(classifier.otherwiseCounts()).isFalse();
        assertThatThrownBy(() -> classifier.table().put("99", true)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void badCodesAreRefusedWithTheirValue() {
        SqlStateClassifier.Builder b = SqlStateClassifier.builder();
        assertThatThrownBy(() -> b.counts("8")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("counts: a SQLState class is 2 and a code 5 characters of [0-9A-Z], but was '8'");
        assertThatThrownBy(() -> b.doesNotCount("23-05")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("doesNotCount: a SQLState class is 2 and a code 5 characters of [0-9A-Z], but was '23-05'");
        assertThatThrownBy(() -> b.remove((String) null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("remove: a SQLState class is 2 and a code 5 characters of [0-9A-Z], but was null");
        assertThatThrownBy(() -> b.counts()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("counts needs at least one SQLState class or code");
        assertThatThrownBy(() -> b.counts((String[]) null)).isInstanceOf(NullPointerException.class).hasMessage("counts");
        assertThatThrownBy(() -> classifier.test(null)).isInstanceOf(NullPointerException.class).hasMessage("failure");
    }

    @Test
    void asTheBreakersOwnPredicateADuplicateKeyNeverOpensButAConnectionFailureDoes() throws Exception {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("orders-db").failureThreshold(5)
                .recordFailure(SqlStateClassifier.defaults()).build());
        for (int i = 0; i < 20; i++) {
            try {
                breaker.call(() -> { throw state("23505"); });
            } catch (SQLException expected) {
                // the caller's error, still thrown
            }
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().ignoredCalls()).isEqualTo(20);
        for (int i = 0; i < 5; i++) {
            try {
                breaker.call(() -> { throw state("08006"); });
            } catch (SQLException expected) {
                // counted
            }
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }
}
