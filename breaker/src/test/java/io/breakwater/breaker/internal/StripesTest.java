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
    void theFirstWriterCountsInOneCompactCellUntilASecondWriterGivesItAPaddedOne() throws Exception {
        CallCounters counters = new CallCounters();
        AtomicReference<CallCounters.Counts> compact = new AtomicReference<>();
        AtomicReference<CallCounters.Counts> padded = new AtomicReference<>();
        java.util.concurrent.CountDownLatch secondCame = new java.util.concurrent.CountDownLatch(1);
        Thread a = new Thread(() -> {
            counters.add(CallCounters.FAILED, 3);
            compact.set(counters.cell());
            try {
                secondCame.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            counters.add(CallCounters.FAILED, 5);
            padded.set(counters.cell());
        });
        a.start();
        org.awaitility.Awaitility.await().until(() -> compact.get() != null);
        assertThat(compact.get().values).as("no padding while one thread writes").hasSize(7);
        assertThat(cells(counters)).isEqualTo(1);

        AtomicReference<CallCounters.Counts> second = new AtomicReference<>();
        Runnable work = () -> {
            counters.add(CallCounters.FAILED, 4);
            second.set(counters.cell());
        };
        Thread b = new Thread(work);
        while (slot(b) == slot(a)) {
            b = new Thread(work);
        }
        b.start();
        b.join();
        secondCame.countDown();
        a.join();
        assertThat(second.get().values).as("a later writer's cell is padded").hasSizeGreaterThan(7);
        assertThat(padded.get()).as("the first writer moved to a padded cell in its slot").isNotSameAs(compact.get())
                .isSameAs(counters.cellAt((int) slot(a)));
        assertThat(padded.get().values).hasSizeGreaterThan(7);
        assertThat(padded.get().ownedBy(a)).isTrue();
        assertThat(cells(counters)).as("the compact cell, kept for what it counted, and two padded ones").isEqualTo(3);
        assertThat(counters.sum(CallCounters.FAILED)).isEqualTo(12);
    }

    @Test
    void aTimeWindowsFirstRingStaysInItsSlotWhenASecondWriterComes() throws Exception {
        TimeWindow window = new TimeWindow(60, 1);
        AtomicReference<TimeWindow.Ring> before = new AtomicReference<>();
        AtomicReference<TimeWindow.Ring> after = new AtomicReference<>();
        java.util.concurrent.CountDownLatch secondCame = new java.util.concurrent.CountDownLatch(1);
        Thread a = new Thread(() -> {
            window.record(Outcome.SUCCESS, 0L);
            before.set(window.cell());
            try {
                secondCame.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            window.record(Outcome.FAILURE, 0L);
            after.set(window.cell());
        });
        a.start();
        org.awaitility.Awaitility.await().until(() -> before.get() != null);
        Thread b = new Thread(() -> window.record(Outcome.SUCCESS, 0L));
        while (slot(b) == slot(a)) {
            b = new Thread(() -> window.record(Outcome.SUCCESS, 0L));
        }
        b.start();
        b.join();
        secondCame.countDown();
        a.join();
        assertThat(after.get()).as("no second ring of buckets for the first writer").isSameAs(before.get())
                .isSameAs(window.cellAt((int) slot(a)));
        int rings = 0;
        for (int i = 0; i < Stripes.cellCount(); i++) {
            rings += window.cellAt(i) == null ? 0 : 1;
        }
        assertThat(rings).isEqualTo(2);
        assertThat(window.totals(0L).calls()).isEqualTo(3);
        assertThat(window.totals(0L).failures()).isEqualTo(1);
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
        assertThat(first.get().ownedBy(pair[0])).isTrue();
        assertThat(second.get().shared()).isTrue();
        assertThat(counters.sum(CallCounters.SUCCESSFUL_NANOS)).isEqualTo(12);
    }

    @Test
    void twoThreadsAnsweringTheSameIdNeverShareACellWithPlainStores() throws Exception {
        CallCounters counters = new CallCounters();
        int perThread = 200_000;
        CyclicBarrier start = new CyclicBarrier(2);
        AtomicReference<CallCounters.Counts> second = new AtomicReference<>();
        Thread owner = sameId(() -> counters.increment(CallCounters.SUCCESSFUL));
        owner.start();
        owner.join();
        Thread[] pair = {sameId(() -> count(counters, perThread, start)), sameId(() -> {
            count(counters, perThread, start);
            second.set(counters.cell());
        })};
        for (Thread t : pair) {
            t.start();
        }
        for (Thread t : pair) {
            t.join();
        }

        assertThat(second.get().shared()).as("a thread that does not own the slot's cell writes the shared one").isTrue();
        assertThat(counters.sum(CallCounters.SUCCESSFUL)).isEqualTo(1 + 2L * perThread);
    }

    private static void count(CallCounters counters, int times, CyclicBarrier start) {
        try {
            start.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < times; i++) {
            counters.increment(CallCounters.SUCCESSFUL);
        }
    }

    /** A thread whose {@code getId()} answers 7, whatever its real id (JDK 17 lets a subclass override it). */
    private static Thread sameId(Runnable work) {
        return new Thread(work) {
            @Override
            public long getId() {
                return 7;
            }
        };
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
        for (int i = Stripes.SLOTS; i < 2 * Stripes.SLOTS; i++) {
            shared += counters.cellAt(i) == null ? 0 : 1;
        }
        assertThat(shared).as("threads beyond the slots counted in shared cells").isPositive();
    }

    @Test
    void threadsThatTakeTurnsKeepTwoCellsHoweverManyTheyAre() throws Exception {
        CallCounters counters = new CallCounters();
        for (int t = 0; t < 3 * Stripes.SLOTS; t++) {
            Thread writer = new Thread(() -> counters.add(CallCounters.SUCCESSFUL, 2));
            writer.start();
            writer.join();
        }
        assertThat(counters.striped()).isFalse();
        assertThat(cells(counters)).as("the first writers' cells (the first's compact one too) and one shared by the rest")
                .isLessThanOrEqualTo(Stripes.FREE_OWNERS + 2);
        assertThat(counters.sum(CallCounters.SUCCESSFUL)).isEqualTo(2L * 3 * Stripes.SLOTS);
    }

    @Test
    void writersThatCollideOnTheSharedCellStripeFromThenOn() throws Exception {
        CallCounters counters = new CallCounters();
        java.util.Set<Long> taken = new java.util.HashSet<>();
        for (int i = 0; i < Stripes.FREE_OWNERS; i++) { // the free owners' turns taken, so the writers below share a cell
            Thread owner = new Thread(() -> counters.increment(CallCounters.SUCCESSFUL));
            owner.start();
            owner.join();
            taken.add(slot(owner));
        }
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        Runnable write = () -> {
            long n = 0;
            while (!stop.get()) {
                counters.increment(CallCounters.SUCCESSFUL);
                n++;
            }
            written.addAndGet(n);
        };
        Thread a = new Thread(write);
        Thread b = new Thread(write);
        a.start();
        b.start();
        try {
            org.awaitility.Awaitility.await("a collision on the shared cell").atMost(java.time.Duration.ofSeconds(60))
                    .until(counters::striped);
        } finally {
            stop.set(true);
            a.join();
            b.join();
        }
        assertThat(counters.sum(CallCounters.SUCCESSFUL)).isEqualTo(Stripes.FREE_OWNERS + written.get());

        AtomicReference<CallCounters.Counts> later = new AtomicReference<>();
        taken.add(slot(a));
        taken.add(slot(b));
        Thread c;
        do {
            c = new Thread(() -> {
                counters.increment(CallCounters.SUCCESSFUL);
                later.set(counters.cell());
            });
        } while (taken.contains(slot(c)));
        c.start();
        c.join();
        assertThat(later.get().ownedBy(c)).as("a thread in a free slot owns a cell once writers have collided").isTrue();
        assertThat(cells(counters)).as("threads that write after the collision take cells of their own")
                .isGreaterThan(Stripes.FREE_OWNERS + 1);
    }

    private static long slot(Thread t) {
        return t.getId() & (Stripes.SLOTS - 1);
    }

    private static int cells(CallCounters counters) {
        int made = 0;
        for (int i = 0; i < Stripes.cellCount(); i++) {
            made += counters.cellAt(i) == null ? 0 : 1;
        }
        return made;
    }
}
