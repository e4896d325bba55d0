package io.breakwater.breaker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StripesTest {

    @Test
    void nothingIsAllocatedUntilAThreadFirstCounts() {
        CallCounters counters = new CallCounters();
        for (int i = 0; i < Stripes.cellCount(); i++) {
            assertThat(counters.cellAt(i)).isNull();
        }
        counters.increment(CallCounters.REJECTED);
        assertThat(counters.sum(CallCounters.REJECTED)).isEqualTo(1);
        assertThat(counters.sum(CallCounters.SUCCESSFUL)).isZero();
    }

    @Test
    void theFirstThreadOfASlotOwnsItsCellAndALaterOneInTheSameSlotSharesAnAtomicCell() throws Exception {
        CallCounters counters = new CallCounters();
        AtomicReference<CallCounters.Counts> first = new AtomicReference<>();
        AtomicReference<CallCounters.Counts> second = new AtomicReference<>();
        Thread[] pair = collidingPair(() -> {
            counters.add(CallCounters.SUCCESSFUL_NANOS, 5);
            first.set(counters.cell());
        }, () -> {
            counters.add(CallCounters.SUCCESSFUL_NANOS, 7);
            second.set(counters.cell());
        });
        pair[0].start();
        pair[0].join();
        pair[1].start();
        pair[1].join();

        assertThat(first.get().shared()).isFalse();
        assertThat(first.get().owner).isEqualTo(pair[0].getId());
        assertThat(second.get().shared()).isTrue();
        assertThat(counters.sum(CallCounters.SUCCESSFUL_NANOS)).isEqualTo(12);
    }

    /** {@code a} and {@code b}'s work on two threads whose ids fall in the same slot. */
    private static Thread[] collidingPair(Runnable a, Runnable b) {
        Thread first = new Thread(a);
        for (;;) {
            Thread t = new Thread(b);
            if ((t.getId() & (Stripes.SLOTS - 1)) == (first.getId() & (Stripes.SLOTS - 1))) {
                return new Thread[] {first, t};
            }
        }
    }

    @Test
    void countsFromMoreThreadsThanSlotsAddUpExactly() throws Exception {
        int threads = 3 * Stripes.SLOTS + 1;
        int perThread = 20_000;
        CallCounters counters = new CallCounters();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        counters.increment(CallCounters.SUCCESSFUL);
                        counters.add(CallCounters.SUCCESSFUL_NANOS, 3);
                        if (i % 4 == 0) {
                            counters.increment(CallCounters.FAILED);
                        }
                    }
                    return null;
                }));
            }
            long seen = 0;
            while (!writers.stream().allMatch(Future::isDone)) {
                long now = counters.sum(CallCounters.SUCCESSFUL);
                assertThat(now).as("a sum read while counting never goes back").isGreaterThanOrEqualTo(seen)
                        .isLessThanOrEqualTo((long) threads * perThread);
                seen = now;
            }
            for (Future<?> f : writers) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(counters.sum(CallCounters.SUCCESSFUL)).isEqualTo((long) threads * perThread);
        assertThat(counters.sum(CallCounters.SUCCESSFUL_NANOS)).isEqualTo(3L * threads * perThread);
        assertThat(counters.sum(CallCounters.FAILED)).isEqualTo((long) threads * perThread / 4);
        int shared = 0;
        for (int i = Stripes.SLOTS; i < Stripes.cellCount(); i++) {
            shared += counters.cellAt(i) == null ? 0 : 1;
        }
        assertThat(shared).as("threads beyond the slots counted in shared cells").isPositive();
    }
}
