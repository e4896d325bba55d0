package io.breakwater.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The entry points: a breaker per database through a registry, and every bad input with its message. */
class CircuitBreakerDataSourceBuilderTest {

    private final FakeDatabase database = new FakeDatabase();
    private final CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
    private final CircuitBreaker breaker = CircuitBreaker.ofDefaults("db");

    @Test
    void aBreakerPerDatabaseFromThePostgresPreset() throws Exception {
        try (CircuitBreakerDataSource orders = CircuitBreakerDataSource.forDatabase(database, registry, "orders-db");
             CircuitBreakerDataSource again = CircuitBreakerDataSource.forDatabase(new FakeDatabase(), registry, "orders-db");
             CircuitBreakerDataSource audit = CircuitBreakerDataSource.forDatabase(new FakeDatabase(), registry, "audit-db")) {
            assertThat(orders.breaker()).isSameAs(again.breaker()).isSameAs(registry.get("orders-db").orElseThrow());
            assertThat(audit.breaker()).isNotSameAs(orders.breaker());
            assertThat(orders.breaker().config().differences(BreakerPresets.postgres("orders-db"))).isEmpty();
            assertThat(orders.breaker().config().failureThreshold()).isEqualTo(5);
            assertThat(orders.breaker().config().resetTimeout()).isEqualTo(Duration.ofSeconds(30));
        }
    }

    @Test
    void theGlobalRegistryByDefault() throws Exception {
        String name = "global-db-" + System.nanoTime();
        try (CircuitBreakerDataSource guarded = CircuitBreakerDataSource.forDatabase(database, name)) {
            assertThat(CircuitBreakerRegistry.global().get(name)).containsSame(guarded.breaker());
        } finally {
            CircuitBreakerRegistry.global().remove(name);
        }
    }

    @Test
    void aDatabaseWhoseBreakerExistsWithAnotherConfigIsRefused() {
        registry.getOrCreate("orders-db", CircuitBreakerConfig.builder("orders-db").failureThreshold(3).build());
        assertThatThrownBy(() -> CircuitBreakerDataSource.forDatabase(database, registry, "orders-db"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Circuit breaker 'orders-db' already exists with another config (existing vs "
                        + "requested): failureThreshold: 3 vs 5");
    }

    @Test
    void nullsAreNamed() {
        assertThatThrownBy(() -> CircuitBreakerDataSource.wrap(null, breaker))
                .isInstanceOf(NullPointerException.class).hasMessage("dataSource");
        assertThatThrownBy(() -> CircuitBreakerDataSource.wrap(database, null))
                .isInstanceOf(NullPointerException.class).hasMessage("breaker");
        assertThatThrownBy(() -> CircuitBreakerDataSource.forDatabase(database, null))
                .isInstanceOf(NullPointerException.class).hasMessage("database");
        assertThatThrownBy(() -> CircuitBreakerDataSource.forDatabase(database, null, "orders-db"))
                .isInstanceOf(NullPointerException.class).hasMessage("registry");
        CircuitBreakerDataSourceBuilder builder = CircuitBreakerDataSource.builder(database);
        assertThatThrownBy(() -> builder.classifier(null)).isInstanceOf(NullPointerException.class).hasMessage("classifier");
        assertThatThrownBy(() -> builder.clock(null)).isInstanceOf(NullPointerException.class).hasMessage("clock");
        assertThatThrownBy(() -> builder.executionThreshold(null))
                .isInstanceOf(NullPointerException.class).hasMessage("executionThreshold");
        assertThatThrownBy(() -> builder.connectionBlockThreshold(null))
                .isInstanceOf(NullPointerException.class).hasMessage("connectionBlockThreshold");
    }

    @Test
    void aBlankOrControlCharacterDatabaseNameIsRefusedAsABreakerName() {
        assertThatThrownBy(() -> CircuitBreakerDataSource.forDatabase(database, registry, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid circuit breaker config: name must not be blank, but was ' '");
        assertThatThrownBy(() -> CircuitBreakerDataSource.forDatabase(database, registry, "orders\ndb"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name must not contain control characters, but was 'orders?db'");
    }

    @Test
    void thresholdsOutOfRangeAreRefusedWithTheirValue() {
        CircuitBreakerDataSourceBuilder builder = CircuitBreakerDataSource.builder(database);
        assertThatThrownBy(() -> builder.connectionBlockThreshold(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("connectionBlockThreshold must be > 0, but was PT0S");
        assertThatThrownBy(() -> builder.executionThreshold(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("executionThreshold must be > 0, but was PT-0.005S");
        assertThatThrownBy(() -> builder.executionThreshold(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("executionThreshold must be at most 1 day (PT24H), but was PT");
        assertThatThrownBy(() -> builder.connectionBlockThreshold(Duration.ofHours(25)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("connectionBlockThreshold must be at most 1 day (PT24H), but was PT25H");
    }

    @Test
    void aBreakerOrADatabaseIsRequiredButNotBoth() {
        assertThatThrownBy(() -> CircuitBreakerDataSource.builder(database).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("a breaker or a database is required: builder(dataSource).breaker(breaker) or .database(name)");
        assertThatThrownBy(() -> CircuitBreakerDataSource.builder(database).breaker(breaker).database("orders-db").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("give a breaker or a database, not both (breaker 'db', database 'orders-db')");
        assertThatThrownBy(() -> CircuitBreakerDataSource.builder(database).breaker(breaker).registry(registry).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("registry(...) is for database(name); a breaker given directly needs none");
    }

    @Test
    void aGuardedDataSourceIsNotGuardedTwice() throws Exception {
        try (CircuitBreakerDataSource guarded = CircuitBreakerDataSource.wrap(database, breaker)) {
            assertThatThrownBy(() -> CircuitBreakerDataSource.wrap(guarded, CircuitBreaker.ofDefaults("other")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("dataSource is already a CircuitBreakerDataSource (breaker 'db'): use it as it is, or "
                            + "wrap the data source it guards");
        }
    }
}
