package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class CircuitBreakerRegistryTest {

    @Test
    void returnsOneInstancePerName() {
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        CircuitBreaker first = registry.getOrCreate("postgres_query", BreakerPresets.postgres("x"));
        CircuitBreaker second = registry.getOrCreate("postgres_query");
        assertThat(second).isSameAs(first);
        assertThat(first.name()).isEqualTo("postgres_query");
        assertThat(registry.get("postgres_query")).containsSame(first);
        assertThat(registry.get("other")).isEmpty();
    }

    @Test
    void returnsOneInstancePerNameAcrossThreads() throws Exception {
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<CircuitBreaker>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return registry.getOrCreate("shared");
                }));
            }
            start.countDown();
            Set<CircuitBreaker> distinct = ConcurrentHashMap.newKeySet();
            for (Future<CircuitBreaker> f : results) {
                distinct.add(f.get());
            }
            assertThat(distinct).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void forEachBreakerSeesExistingAndLaterBreakersOnce() {
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        registry.getOrCreate("a");
        List<String> seen = new ArrayList<>();
        registry.forEachBreaker(b -> seen.add(b.name()));
        registry.getOrCreate("b");
        registry.getOrCreate("a");
        assertThat(seen).containsExactly("a", "b");
    }

    @Test
    void registryListenersHearEveryBreaker() {
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        CircuitBreaker early = registry.getOrCreate("early");
        List<String> heard = new ArrayList<>();
        registry.onTransition(t -> heard.add(t.breaker() + ":" + t.to()));
        CircuitBreaker late = registry.getOrCreate("late");
        early.forceOpen();
        late.forceOpen();
        assertThat(heard).containsExactly("early:FORCED_OPEN", "late:FORCED_OPEN");
    }

    @Test
    void theDefaultConfigIsUsedUnderTheBreakersOwnName() {
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry(BreakerPresets.redis("template"));
        CircuitBreaker breaker = registry.getOrCreate("cache");
        assertThat(breaker.config().name()).isEqualTo("cache");
        assertThat(breaker.config().failureThreshold()).isEqualTo(3);
    }

    @Test
    void theGlobalRegistryIsOne() {
        assertThat(CircuitBreakerRegistry.global()).isSameAs(CircuitBreakerRegistry.global());
    }
}
