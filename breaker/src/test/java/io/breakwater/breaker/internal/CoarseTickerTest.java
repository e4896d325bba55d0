package io.breakwater.breaker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoarseTickerTest {

    @Test
    void aReadingIsNeverAheadOfTheSystemClockAndFollowsIt() {
        CoarseTicker ticker = new CoarseTicker("test-ticker", TimeUnit.MILLISECONDS.toNanos(1), 1_000);
        long first = ticker.nanoTime();
        long last = first;
        for (int i = 0; i < 100_000; i++) {
            long t = ticker.nanoTime();
            assertThat(t).as("never ahead of System.nanoTime()").isLessThanOrEqualTo(System.nanoTime());
            assertThat(t).as("never backwards").isGreaterThanOrEqualTo(last);
            last = t;
        }
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> ticker.nanoTime() >= start);
    }

    @Test
    void theThreadSleepsWhenUnreadAndTheReadThatWakesItGetsTheTimeNow() {
        CoarseTicker ticker = new CoarseTicker("test-ticker", TimeUnit.MILLISECONDS.toNanos(1), 5);
        assertThat(ticker.asleep()).as("not started before the first read").isTrue();
        ticker.nanoTime();
        assertThat(ticker.asleep()).isFalse();

        await().atMost(Duration.ofSeconds(10)).until(ticker::asleep);
        long before = System.nanoTime();
        long woken = ticker.nanoTime();

        assertThat(woken).isBetween(before, System.nanoTime());
        assertThat(ticker.asleep()).isFalse();
        long later = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> ticker.nanoTime() >= later);
    }

    @Test
    void readersRacingTheThreadToSleepAndWakeNeverSeeTimeGoBackOrAhead() throws Exception {
        CoarseTicker ticker = new CoarseTicker("test-ticker", TimeUnit.MICROSECONDS.toNanos(200), 2);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CyclicBarrier start = new CyclicBarrier(4);
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                readers.add(pool.submit(() -> {
                    start.await();
                    long last = Long.MIN_VALUE;
                    int wakes = 0;
                    for (int i = 0; i < 2_000; i++) {
                        boolean wasAsleep = ticker.asleep();
                        long t = ticker.nanoTime();
                        assertThat(t).isLessThanOrEqualTo(System.nanoTime()).isGreaterThanOrEqualTo(last);
                        last = t;
                        wakes += wasAsleep ? 1 : 0;
                        // Pauses longer than the idle time, so that the thread keeps falling asleep between reads.
                        java.util.concurrent.locks.LockSupport.parkNanos(i % 3 == 0 ? 1_000_000 : 1_000);
                    }
                    return wakes;
                }));
            }
            int wakes = 0;
            for (Future<Integer> f : readers) {
                wakes += f.get(60, TimeUnit.SECONDS);
            }
            assertThat(wakes).as("reads that found the thread asleep").isPositive();
        } finally {
            pool.shutdownNow();
        }
    }
}
