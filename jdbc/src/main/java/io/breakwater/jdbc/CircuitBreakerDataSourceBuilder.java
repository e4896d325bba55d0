package io.breakwater.jdbc;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Timeouts;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * Options of a {@link CircuitBreakerDataSource}; from {@link CircuitBreakerDataSource#builder(DataSource)}. Give
 * either a {@link #breaker(CircuitBreaker) breaker} or a {@link #database(String) database} name. Not
 * thread-safe; {@link #build()} copies what it needs.
 */
public final class CircuitBreakerDataSourceBuilder {

    /** The default connection block threshold: 1 s. */
    public static final Duration DEFAULT_CONNECTION_BLOCK_THRESHOLD = Duration.ofSeconds(1);
    /** The default execution threshold: 2 s. */
    public static final Duration DEFAULT_EXECUTION_THRESHOLD = Duration.ofSeconds(2);
    /** The longest threshold accepted: 1 day. */
    public static final Duration MAX_THRESHOLD = Duration.ofDays(1);

    final DataSource delegate;
    private CircuitBreaker breaker;
    private String database;
    private CircuitBreakerRegistry registry;
    Predicate<? super Throwable> classifier = SqlStateClassifier.defaults();
    Duration connectionBlockThreshold = DEFAULT_CONNECTION_BLOCK_THRESHOLD;
    Duration executionThreshold = DEFAULT_EXECUTION_THRESHOLD;
    Clock clock;
    boolean watchdog = true;

    CircuitBreakerDataSourceBuilder(DataSource dataSource) {
        this.delegate = Objects.requireNonNull(dataSource, "dataSource");
        if (dataSource instanceof CircuitBreakerDataSource guarded) {
            throw new IllegalArgumentException("dataSource is already a CircuitBreakerDataSource (breaker '"
                    + guarded.breaker().name() + "'): use it as it is, or wrap the data source it guards");
        }
    }

    /** The breaker (share one by name through a {@link CircuitBreakerRegistry}); excludes {@link #database(String)}. */
    public CircuitBreakerDataSourceBuilder breaker(CircuitBreaker breaker) {
        this.breaker = Objects.requireNonNull(breaker, "breaker");
        return this;
    }

    /**
     * A breaker per database: the breaker called {@code database} of the {@link #registry(CircuitBreakerRegistry)
     * registry}, created from {@code BreakerPresets.postgres(database)} if missing. Excludes {@link #breaker}.
     */
    public CircuitBreakerDataSourceBuilder database(String database) {
        this.database = Objects.requireNonNull(database, "database");
        return this;
    }

    /** Where {@link #database(String)} finds its breaker (default: {@link CircuitBreakerRegistry#global()}). */
    public CircuitBreakerDataSourceBuilder registry(CircuitBreakerRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        return this;
    }

    /**
     * Which failures count (true: it counts), before the breaker's own predicates (default
     * {@link SqlStateClassifier#defaults()}). One that throws is logged, and the failure counts.
     */
    public CircuitBreakerDataSourceBuilder classifier(Predicate<? super Throwable> classifier) {
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        return this;
    }

    /** A {@code getConnection()} blocked longer than this counts as a failure (default 1 s, at most 1 day). */
    public CircuitBreakerDataSourceBuilder connectionBlockThreshold(Duration threshold) {
        this.connectionBlockThreshold = checked("connectionBlockThreshold", threshold);
        return this;
    }

    /**
     * A statement, commit, rollback or close unanswered longer than this counts as a failure; and a call
     * unanswered this long while no statement succeeded opens the breaker (default 2 s, at most 1 day). Set it
     * above your slowest statement.
     */
    public CircuitBreakerDataSourceBuilder executionThreshold(Duration threshold) {
        this.executionThreshold = checked("executionThreshold", threshold);
        return this;
    }

    /** The clock of call durations and thresholds (default: the breaker's). */
    public CircuitBreakerDataSourceBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** Whether the watchdog thread checks this data source (default true; tests may drive it by hand). */
    public CircuitBreakerDataSourceBuilder watchdog(boolean enabled) {
        this.watchdog = enabled;
        return this;
    }

    /**
     * The guarded data source. It owns the delegate from now on: closing it closes the delegate.
     *
     * @throws IllegalStateException when neither or both of a breaker and a database were given
     * @throws IllegalArgumentException when the database's breaker exists with another config, or the name is
     *         not a valid breaker name
     */
    public CircuitBreakerDataSource build() {
        if ((breaker == null) == (database == null)) {
            throw new IllegalStateException(breaker == null
                    ? "a breaker or a database is required: builder(dataSource).breaker(breaker) or .database(name)"
                    : "give a breaker or a database, not both (breaker '" + breaker.name() + "', database '" + database + "')");
        }
        if (registry != null && database == null) {
            throw new IllegalStateException("registry(...) is for database(name); a breaker given directly needs none");
        }
        CircuitBreaker b = breaker != null ? breaker
                : (registry != null ? registry : CircuitBreakerRegistry.global()).getOrCreate(database, BreakerPresets.postgres(database));
        return new CircuitBreakerDataSource(this, b);
    }

    private static Duration checked(String name, Duration threshold) {
        Timeouts.positive(name, threshold);
        if (threshold.compareTo(MAX_THRESHOLD) > 0) {
            throw new IllegalArgumentException(name + " must be at most 1 day (PT24H), but was " + threshold);
        }
        return threshold;
    }
}
