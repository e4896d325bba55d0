package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
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

    @RepeatedTest(20)
    void forEachBreakerSeesEveryBreakerOnceWhileOthersAreCreatedOnSeveralThreads() throws Exception {
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        for (int i = 0; i < 50; i++) {
            registry.getOrCreate("existing-" + i);
        }
        int creators = 4;
        ExecutorService pool = Executors.newFixedThreadPool(creators);
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        try {
            CyclicBarrier start = new CyclicBarrier(creators + 1);
            CountDownLatch halfway = new CountDownLatch(creators);
            List<Future<?>> created = new ArrayList<>();
            for (int t = 0; t < creators; t++) {
                created.add(pool.submit(() -> {
                    start.await();
                    // Every thread creates the same names: each breaker is created by whichever comes first.
                    for (int i = 0; i < 400; i++) {
                        registry.getOrCreate("later-" + i);
                        if (i == 200) {
                            halfway.countDown();
                        }
                    }
                    return null;
                }));
            }
            start.await();
            halfway.await(30, TimeUnit.SECONDS);
            registry.forEachBreaker(b -> seen.merge(b.name(), 1, Integer::sum));
            for (Future<?> f : created) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(registry.all()).hasSize(450);
        Set<String> missed = new TreeSet<>(registry.all().stream().map(CircuitBreaker::name).toList());
        missed.removeAll(seen.keySet());
        assertThat(missed).as("breakers the listener never saw").isEmpty();
        Map<String, Integer> repeated = new TreeMap<>();
        seen.forEach((name, times) -> {
            if (times != 1) {
                repeated.put(name, times);
            }
        });
        assertThat(repeated).as("breakers the listener saw more than once, and how often").isEmpty();
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
    void theGlobalRegistryIsOneForTheWholeProcess() throws Exception {
        String name = "global-registry-test-" + UUID.randomUUID();
        CircuitBreaker created = CircuitBreakerRegistry.global().getOrCreate(name);
        try {
            Optional<CircuitBreaker> fromAnotherThread = CompletableFuture
                    .supplyAsync(() -> CircuitBreakerRegistry.global().get(name))
                    .get(10, TimeUnit.SECONDS);
            assertThat(fromAnotherThread).containsSame(created);
            assertThat(CircuitBreakerRegistry.global().getOrCreate(name)).isSameAs(created);
            assertThat(CircuitBreakerRegistry.global().getOrCreate(name, CircuitBreakerConfig.ofDefaults("other"))).isSameAs(created);
            assertThat(CircuitBreakerRegistry.global().defaultConfig().failureThreshold())
                    .isEqualTo(CircuitBreakerConfig.ofDefaults("x").failureThreshold());
        } finally {
            CircuitBreakerRegistry.global().remove(name);
        }
    }

    @Test
    void aListenerIsNotCalledOnceTheCloseOfItsSubscriptionReturned() throws Exception {
        CircuitBreakerRegistry registry = new CircuitBreakerRegistry();
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        registry.forEachBreaker(b -> {   // notified first: holds the creation of "late" back
            inFirst.countDown();
            awaitQuietly(release);
        });
        java.util.concurrent.atomic.AtomicBoolean closeReturned = new java.util.concurrent.atomic.AtomicBoolean();
        List<Boolean> calledAfterClose = new java.util.concurrent.CopyOnWriteArrayList<>();
        Subscription second = registry.forEachBreaker(b -> calledAfterClose.add(closeReturned.get()));

        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<CircuitBreaker> creating = threads.submit(() -> registry.getOrCreate("late"));
            assertThat(inFirst.await(10, TimeUnit.SECONDS)).isTrue();
            java.util.concurrent.atomic.AtomicReference<Thread> closer = new java.util.concurrent.atomic.AtomicReference<>();
            Future<?> closing = threads.submit(() -> {
                closer.set(Thread.currentThread());
                second.close();
                closeReturned.set(true);
            });
            // The close either returned (the defect) or waits for the creation under way.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> closeReturned.get()
                    || closer.get() != null && closer.get().getState() == Thread.State.BLOCKED);
            release.countDown();
            creating.get(10, TimeUnit.SECONDS);
            closing.get(10, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            threads.shutdownNow();
        }
        assertThat(calledAfterClose).as("calls of the closed listener made after its close returned").doesNotContain(true);
        registry.getOrCreate("later");
        assertThat(calledAfterClose).hasSizeLessThanOrEqualTo(1);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
