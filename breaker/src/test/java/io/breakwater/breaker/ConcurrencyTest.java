package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {

    private static final int THREADS = 8;
    private static final int TRANSITIONS = 2_000;
    private static final int MAX_CALLS = 5_000_000;
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @RepeatedTest(20)
    void eightThreadsInHalfOpenNeverGetMoreThanHalfOpenMaxCallsPermits() throws Exception {
        ManualClock clock = new ManualClock();
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("half-open")
                .failureThreshold(1).halfOpenMaxCalls(3).clock(clock).build());
        breaker.recordFailure("down");
        clock.advance(Duration.ofSeconds(30));

        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<Integer>> permits = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            permits.add(pool.submit(() -> {
                start.await();
                int granted = 0;
                for (int i = 0; i < 10_000; i++) {
                    if (breaker.canExecute()) {
                        granted++;
                    }
                }
                return granted;
            }));
        }
        int total = 0;
        for (Future<Integer> f : permits) {
            total += f.get(30, TimeUnit.SECONDS);
        }
        assertThat(total).isEqualTo(3);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        assertThat(breaker.snapshot().rejectedCalls()).isEqualTo(THREADS * 10_000L - 3);
    }

    @Test
    void everyTransitionReachesTheListenersExactlyOnceAndInOrder() throws Exception {
        hammer(CircuitBreakerConfig.builder("hammered").windowSize(20));
    }

    @Test
    void everyTransitionOfATimeWindowedBreakerReachesTheListenersExactlyOnceAndInOrder() throws Exception {
        // Time moves a millisecond every 50 calls of each thread: the window's seconds roll while every thread counts.
        hammer(CircuitBreakerConfig.builder("hammered-time").windowDuration(Duration.ofSeconds(1)).minimumCalls(20));
    }

    private void hammer(CircuitBreakerConfigBuilder window) throws Exception {
        ManualClock clock = new ManualClock();
        CircuitBreaker breaker = CircuitBreaker.of(window
                .failureThreshold(3).successThreshold(2).halfOpenMaxCalls(2)
                .resetTimeout(Duration.ofMillis(5)).failureRateThreshold(0.5)
                .clock(clock).build());
        List<StateTransition> first = Collections.synchronizedList(new ArrayList<>());
        List<StateTransition> second = Collections.synchronizedList(new ArrayList<>());
        breaker.onTransition(first::add);
        breaker.onTransition(second::add);

        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            workers.add(pool.submit(() -> {
                start.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                // Every thread moves time, so the breaker keeps cycling whichever threads the scheduler runs; all
                // stop once enough transitions were seen (a fixed count of calls left it to the scheduler).
                for (int i = 0; first.size() < TRANSITIONS && i < MAX_CALLS; i++) {
                    if (i % 50 == 0) {
                        clock.advanceMillis(1);
                    }
                    if (breaker.canExecute()) {
                        if (random.nextInt(100) < 45) {
                            breaker.recordFailure(new IOException("down"));
                        } else {
                            breaker.recordSuccess();
                        }
                    }
                    if (id == 1 && i % 1_000 == 999) {
                        breaker.forceOpen();
                        breaker.reset();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : workers) {
            f.get(60, TimeUnit.SECONDS);
        }

        List<StateTransition> seen = List.copyOf(first);
        assertThat(seen).hasSizeGreaterThanOrEqualTo(TRANSITIONS);
        assertThat(second).containsExactlyElementsOf(seen);
        for (int i = 0; i < seen.size(); i++) {
            StateTransition t = seen.get(i);
            assertThat(t.sequence()).as("exactly once, in order").isEqualTo(i + 1L);
            if (i > 0) {
                assertThat(t.from()).as("each transition leaves the state the previous one entered: %s", t)
                        .isEqualTo(seen.get(i - 1).to());
            }
        }
        assertThat(breaker.state()).isEqualTo(seen.get(seen.size() - 1).to());
    }
}
