package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.ManualClock;
import io.breakwater.breaker.PersistedState;
import io.breakwater.metrics.BreakerMetrics;
import io.breakwater.state.redis.RedisStateStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Breaker state in the real Redis of this machine (127.0.0.1:6379). */
class RedisStateIT {

    private static final String REDIS = "redis://127.0.0.1:6379/0";

    private static CircuitBreaker breaker(String name, RedisStateStore store) {
        return breaker(name, store, Clock.system());
    }

    private static CircuitBreaker breaker(String name, RedisStateStore store, Clock clock) {
        // Redis answers in milliseconds: a long restore wait costs nothing, and covers a first connection made slowly
        // on a loaded machine.
        return new CircuitBreakerRegistry().getOrCreate(name, CircuitBreakerConfig.builder(name).failureThreshold(1)
                .resetTimeout(Duration.ofSeconds(60)).stateStore(store).stateRestoreWait(Duration.ofSeconds(30))
                .clock(clock).build());
    }

    @Test
    void anOpenBreakerIsOpenAgainAfterARestartWithItsRemainingTimeout() throws Exception {
        String name = "orders-" + UUID.randomUUID();
        // A clock of the test's, at a whole millisecond (as the store keeps instants): the restart comes 10 s later by
        // it, so a breaker that kept its remaining timeout admits trials at the same instant, and one that began its
        // timeout again would admit them 10 s later.
        ManualClock clock = new ManualClock(Instant.ofEpochMilli(System.currentTimeMillis()));
        Instant nextAttempt;
        try (RedisStateStore store = RedisStateStore.fromUri(REDIS)) {
            CircuitBreaker before = breaker(name, store, clock);
            before.recordFailure("broker unreachable");
            nextAttempt = before.snapshot().nextAttemptAt();
            try (Jedis jedis = new Jedis("127.0.0.1", 6379)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> "OPEN".equals(jedis.get(RedisStateStore.stateKey(name))));
                assertThat(jedis.get(RedisStateStore.detailKey(name))).contains("\"state\":\"OPEN\"").contains("\"reason\":\"1 consecutive failure(s)\"").contains("\"openUntil\"");
                assertThat(jedis.ttl(RedisStateStore.stateKey(name))).isBetween(3500L, 3600L);
            }
        }
        // The application closes and starts again, 10 s later: new objects, the same name, the same Redis.
        clock.advance(Duration.ofSeconds(10));
        try (RedisStateStore store = RedisStateStore.fromUri(REDIS)) {
            CircuitBreaker after = breaker(name, store, clock);
            assertThat(after.state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(after.snapshot().nextAttemptAt()).isEqualTo(nextAttempt);
            assertThat(after.canExecute()).isFalse();
            assertThat(after.storeErrors()).isZero();
        }
    }

    @Test
    void theBackoffLevelOfAnOpenBreakerIsKept() throws Exception {
        String name = "backoff-" + UUID.randomUUID();
        Instant since = Instant.ofEpochMilli(System.currentTimeMillis());
        PersistedState reopened = new PersistedState(CircuitBreakerState.OPEN, since, since.plusSeconds(40), "trial failed", 2);
        try (RedisStateStore store = RedisStateStore.fromUri(REDIS)) {
            store.save(name, reopened);
            assertThat(store.load(name)).contains(reopened);
            store.save(name, new PersistedState(CircuitBreakerState.CLOSED, since.plusSeconds(50), null, "trial succeeded"));
            assertThat(store.load(name).orElseThrow().reopenCount()).isZero();
            try (Jedis jedis = new Jedis("127.0.0.1", 6379)) {
                assertThat(jedis.get(RedisStateStore.detailKey(name))).doesNotContain("reopenCount");
            }
        }
    }

    @Test
    void afterTheTtlTheBreakerStartsClosed() throws Exception {
        String name = "payments-" + UUID.randomUUID();
        try (RedisStateStore store = RedisStateStore.fromUri(REDIS, Duration.ofSeconds(4), RedisStateStore.DEFAULT_TIMEOUT)) {
            breaker(name, store).forceOpen();
            try (Jedis jedis = new Jedis("127.0.0.1", 6379)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> jedis.get(RedisStateStore.stateKey(name)) != null);
                assertThat(breaker(name, store).state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
                // The detail is what a restore reads; the state key expires a second before it.
                await().atMost(Duration.ofSeconds(10)).until(() -> jedis.get(RedisStateStore.detailKey(name)) == null);
                assertThat(jedis.get(RedisStateStore.stateKey(name))).isNull();
            }
            assertThat(breaker(name, store).state()).isEqualTo(CircuitBreakerState.CLOSED);
        }
    }

    @Test
    void aPasswordForThisRedisWhichHasNoneIsNamed() throws Exception {
        try (RedisStateStore store = RedisStateStore.fromUri("redis://:s3cret@127.0.0.1:6379")) {
            assertThatThrownBy(() -> store.load("orders")).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Redis at redis://127.0.0.1:6379/0 has no password to check (")
                    .hasMessageEndingWith("): remove the password from the URI, as in redis://127.0.0.1:6379/0, or give the "
                            + "server one (requirepass, or an ACL user)")
                    .hasMessageNotContaining("s3cret");
        }
    }

    @Test
    void theDatabaseIndexComesFromTheUri() throws Exception {
        String name = "db-" + UUID.randomUUID();
        try (RedisStateStore store = RedisStateStore.fromUri("redis://127.0.0.1:6379/3")) {
            breaker(name, store).forceOpen();
            try (Jedis jedis = new Jedis("127.0.0.1", 6379)) {
                jedis.select(3);
                await().atMost(Duration.ofSeconds(10)).until(() -> "FORCED_OPEN".equals(jedis.get(RedisStateStore.stateKey(name))));
                jedis.select(0);
                assertThat(jedis.get(RedisStateStore.stateKey(name))).isNull();
            }
        }
    }

    @Test
    void withRedisDownTheBreakerStillWorksAndTheErrorsAreCounted() throws Exception {
        String name = "down-" + UUID.randomUUID();
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        BreakerMetrics.of(registry).bindTo(meters);
        try (RedisStateStore store = RedisStateStore.fromUri("redis://127.0.0.1:1/0")) {
            CircuitBreaker breaker = registry.getOrCreate(name, CircuitBreakerConfig.builder(name).failureThreshold(2)
                    .stateStore(store).build());
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(breaker.canExecute()).isTrue();
            breaker.recordFailure("x");
            breaker.recordFailure("x");
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(breaker.canExecute()).isFalse();
            await().atMost(Duration.ofSeconds(10)).until(() -> breaker.storeErrors() >= 2);
            assertThat(meters.get("breaker.store.errors").tag("name", name).functionCounter().count()).isGreaterThanOrEqualTo(2);
        }
    }
}
