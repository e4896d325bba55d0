package io.breakwater.breaker.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

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
}
