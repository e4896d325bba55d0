package io.breakwater.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void badUrisAreRefusedWithTheRule() {
        assertThatThrownBy(() -> RedisStateStore.fromUri("http://localhost:6379"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start with redis:// or rediss://");
        assertThatThrownBy(() -> RedisStateStore.fromUri("redis:///0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must name a host");
        assertThatThrownBy(() -> RedisStateStore.fromUri("redis://localhost", java.time.Duration.ZERO, java.time.Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl must be at least 1 s");
    }
}
