package io.breakwater.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.PersistedState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisStateStoreTest {

    private static final PersistedState OPEN = new PersistedState(CircuitBreakerState.OPEN,
            Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:30Z"), "5 consecutive failure(s)");

    @Test
    void keysFollowTheGuide() {
        assertThat(RedisStateStore.stateKey("critical_service")).isEqualTo("circuit_breaker:critical_service:state");
        assertThat(RedisStateStore.detailKey("critical_service")).isEqualTo("circuit_breaker:critical_service:detail");
    }

    @Test
    void credentialsNeverShowInTheDescription() {
        try (RedisStateStore store = RedisStateStore.fromUri("redis://app:s3cret@127.0.0.1:6379/2")) {
            assertThat(store.toString()).isEqualTo("RedisStateStore[redis://127.0.0.1:6379/2]").doesNotContain("s3cret");
        }
    }

    @Test
    void percentEncodedCredentialsReachRedisDecoded() throws Exception {
        try (FakeRedis redis = new FakeRedis(FakeRedis::usual);
             RedisStateStore store = RedisStateStore.fromUri("redis://app:p%40ss%20w%3Ard%2F%23%3F%25%D0%BF@127.0.0.1:"
                     + redis.port() + "/3")) {
            assertThat(store.load("orders")).isEmpty();
            assertThat(redis.commands()).contains(List.of("AUTH", "app", "p@ss w:rd/#?%п"), List.of("SELECT", "3"));
        }
    }

    @Test
    void aPasswordAloneAuthenticatesTheDefaultUser() throws Exception {
        try (FakeRedis redis = new FakeRedis(FakeRedis::usual);
             RedisStateStore store = RedisStateStore.fromUri("redis://:s3cret@127.0.0.1:" + redis.port())) {
            assertThat(store.load("orders")).isEmpty();
            assertThat(redis.commands()).contains(List.of("AUTH", "s3cret")).noneMatch(c -> c.get(0).equals("SELECT"));
        }
    }

    @Test
    void aDatabaseIndexTheServerRefusesFailsEachLoadAndSaveSayingSo() throws Exception {
        try (FakeRedis redis = new FakeRedis(c -> c.get(0).equals("SELECT") ? "-ERR DB index is out of range\r\n" : FakeRedis.usual(c));
             RedisStateStore store = RedisStateStore.fromUri("redis://app:s3cret@127.0.0.1:" + redis.port() + "/99")) {
            String expected = "Redis at redis://127.0.0.1:" + redis.port() + "/99 refused database index 99 (ERR DB index "
                    + "is out of range): it has fewer databases. Redis has 16 (0 to 15) unless 'databases' in redis.conf "
                    + "says otherwise; give an index it has as the URI's path, as in redis://127.0.0.1:" + redis.port() + "/0";
            assertThatThrownBy(() -> store.load("orders")).isInstanceOf(IllegalStateException.class).hasMessage(expected)
                    .hasMessageNotContaining("s3cret").cause().hasMessageNotContaining("s3cret");
            assertThatThrownBy(() -> store.save("orders", OPEN)).isInstanceOf(IllegalStateException.class).hasMessage(expected);
        }
    }
}
