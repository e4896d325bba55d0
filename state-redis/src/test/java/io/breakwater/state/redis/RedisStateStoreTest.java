package io.breakwater.state.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedisStateStoreTest {

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
}
