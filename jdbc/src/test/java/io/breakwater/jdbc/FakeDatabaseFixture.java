package io.breakwater.jdbc;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.ManualClock;
import java.time.Duration;

/** A data source guarding a {@link FakeDatabase} with a breaker on a ManualClock; the watchdog is driven by hand. */
abstract class FakeDatabaseFixture {

    final ManualClock clock = new ManualClock();
    final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("orders-db")
            .failureThreshold(5).resetTimeout(Duration.ofSeconds(30)).clock(clock).build());
    final FakeDatabase database = new FakeDatabase();
    final CircuitBreakerDataSource dataSource =
            CircuitBreakerDataSource.builder(database).breaker(breaker).watchdog(false).build();
}
