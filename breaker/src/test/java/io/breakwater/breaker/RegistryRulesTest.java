package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RegistryRulesTest {

    @Test
    void aDifferentConfigForAnExistingNameIsAnErrorThatNamesEveryDifference() {
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        registry.getOrCreate("orders-producer", CircuitBreakerConfig.builder("orders-producer").failureThreshold(5).build());

        assertThatThrownBy(() -> registry.getOrCreate("orders-producer", CircuitBreakerConfig.builder("x")
                .failureThreshold(3).resetTimeout(Duration.ofSeconds(10)).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Circuit breaker 'orders-producer' already exists with another config")
                .hasMessageContaining("failureThreshold: 5 vs 3")
                .hasMessageContaining("resetTimeout: PT30S vs PT10S");
        registry.getOrCreate("windowed", CircuitBreakerConfig.builder("w").build());
        assertThatThrownBy(() -> registry.getOrCreate("windowed", CircuitBreakerConfig.builder("w").windowSize(10).build()))
                .hasMessageContaining("windowSize: none vs 10");
    }

    @Test
    void anEqualConfigUnderAnotherNameReturnsTheSameBreaker() {
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        CircuitBreaker first = registry.getOrCreate("a", CircuitBreakerConfig.builder("template").failureThreshold(7).build());
        CircuitBreaker second = registry.getOrCreate("a", CircuitBreakerConfig.builder("other").failureThreshold(7).build());
        assertThat(second).isSameAs(first);
        assertThat(registry.getOrCreate("a")).as("without a config: as it is").isSameAs(first);
    }

    @Test
    void registryListenersHearTransitionsMadeTheMomentABreakerAppears() throws Exception {
        for (int round = 0; round < 50; round++) {
            CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
            AtomicInteger heard = new AtomicInteger();
            registry.onTransition(t -> heard.incrementAndGet());
            int threads = 4;
            int perThread = 25;
            ExecutorService pool = Executors.newFixedThreadPool(threads * 2);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        registry.getOrCreate("b-" + id + "-" + i);
                    }
                    return null;
                }));
                // A second thread trips each breaker as soon as it can see it.
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        String name = "b-" + id + "-" + i;
                        while (registry.get(name).isEmpty()) {
                            Thread.onSpinWait();
                        }
                        registry.get(name).orElseThrow().forceOpen();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(heard.get()).as("round " + round).isEqualTo(threads * perThread);
        }
    }
}
