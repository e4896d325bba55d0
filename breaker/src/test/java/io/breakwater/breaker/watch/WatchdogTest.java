package io.breakwater.breaker.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class WatchdogTest {

    @Test
    void aCheckThatThrowsAnErrorNeitherStopsTheOthersNorTheTicks() throws Exception {
        AtomicInteger healthy = new AtomicInteger();
        AtomicInteger failing = new AtomicInteger();
        try (AutoCloseable a = Watchdog.register(() -> {
            failing.incrementAndGet();
            throw new AssertionError("a check's own bug");
        }); AutoCloseable b = Watchdog.register(healthy::incrementAndGet)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> failing.get() >= 3 && healthy.get() >= 3);
        }
    }

    @Test
    @Timeout(30)
    void twoHundredThousandChecksRegisterRunOnceEachTickAndLeaveWhenClosed() {
        // As many as a bus with that many streams registers: registering and closing each must not cost the number
        // already registered (a copy-on-write set made this quadratic: minutes for 100,000).
        Thread me = Thread.currentThread();
        AtomicInteger runs = new AtomicInteger();
        List<Subscription> registrations = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            registrations.add(Watchdog.register(() -> {
                if (Thread.currentThread() == me) {
                    runs.incrementAndGet();
                }
            }));
        }
        Watchdog.runChecks();
        assertThat(runs).hasValue(200_000);

        registrations.forEach(Subscription::close);
        Watchdog.runChecks();
        assertThat(runs).as("closed checks run no more").hasValue(200_000);
    }

    @Test
    void aVirtualMachineErrorIsRethrownOnlyAfterEveryOtherCheckHasRun() throws Exception {
        Thread me = Thread.currentThread();
        AtomicInteger others = new AtomicInteger();
        try (AutoCloseable fatal = Watchdog.register(() -> {
            if (Thread.currentThread() == me) {
                throw new StackOverflowError("on the test's thread only");
            }
        }); AutoCloseable a = Watchdog.register(() -> {
            if (Thread.currentThread() == me) {
                others.incrementAndGet();
            }
        }); AutoCloseable b = Watchdog.register(() -> {
            if (Thread.currentThread() == me) {
                others.incrementAndGet();
            }
        })) {
            assertThatThrownBy(Watchdog::runChecks).isInstanceOf(StackOverflowError.class);
            assertThat(others.get()).isEqualTo(2);
        }
    }

    @Test
    void aCheckRegisteredWeaklyRunsWhileItsOwnerLivesAndDoesNotKeepItAlive() {
        AtomicInteger runs = new AtomicInteger();
        Object owner = new Object();
        java.lang.ref.WeakReference<Object> collected = new java.lang.ref.WeakReference<>(owner);
        Watchdog.registerWeakly(owner, o -> runs.incrementAndGet());   // never closed, as a forgotten guard's
        await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 2);

        owner = null;
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return collected.get() == null;
        });
        int after = runs.get();
        Watchdog.runChecks();
        assertThat(runs.get()).as("no run once the owner is gone").isEqualTo(after);
    }
}
