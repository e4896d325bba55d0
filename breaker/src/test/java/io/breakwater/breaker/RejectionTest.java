package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a refused call costs: one exception per OPEN or FORCED_OPEN period, no allocation per refusal. */
class RejectionTest {

    private final ManualClock clock = new ManualClock();

    private CircuitBreaker opened(CircuitBreakerConfigBuilder builder) {
        CircuitBreaker breaker = CircuitBreaker.of(builder.clock(clock).build());
        for (int i = 0; i < breaker.config().failureThreshold(); i++) {
            breaker.recordFailure(new IOException("down"));
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        return breaker;
    }

    @Test
    void whileOpenEveryRefusalThrowsOneExceptionWhoseMessageCountsFromWhenItIsRead() {
        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("shared"));
        Instant next = clock.instant().plusSeconds(30);
        clock.advance(Duration.ofSeconds(10));

        CircuitBreakerOpenException first = breaker.openException();
        assertThat(first.getMessage()).isEqualTo("Circuit breaker 'shared' is OPEN; next call permitted at " + next + " (in 20.0 s)");
        clock.advance(Duration.ofSeconds(5));

        assertThatThrownBy(() -> breaker.execute(() -> "x")).isSameAs(first);
        assertThat(first.getMessage()).endsWith(" (in 15.0 s)");
        assertThat(first.nextPermittedAt()).contains(next);
        assertThat(first.getStackTrace()).isEmpty();
    }

    @Test
    void eachOpenPeriodHasItsOwnException() {
        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("periods"));
        CircuitBreakerOpenException first = breaker.openException();
        clock.advance(Duration.ofSeconds(30));
        Permit trial = breaker.tryAcquirePermit();
        breaker.recordFailure(trial, new IOException("still down"), 1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);

        CircuitBreakerOpenException second = breaker.openException();

        assertThat(second).isNotSameAs(first);
        assertThat(second.nextPermittedAt()).contains(clock.instant().plusSeconds(30));
    }

    @Test
    void forcedOpenRefusalsShareOneExceptionToo() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("forced").clock(clock).build());
        breaker.forceOpen();
        CircuitBreakerOpenException first = breaker.openException();
        assertThat(breaker.openException()).isSameAs(first);
        assertThat(first.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        assertThat(first.getMessage()).isEqualTo("Circuit breaker 'forced' is FORCED_OPEN; no call is permitted until it is reset");
    }

    @Test
    void withStackTracesEachRefusalGetsAnExceptionOfItsOwn() {
        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("traced").writableStackTrace(true));
        CircuitBreakerOpenException first = breaker.openException();
        assertThat(breaker.openException()).isNotSameAs(first);
        assertThat(first.getStackTrace()).isNotEmpty();
    }

    @Test
    void theSharedExceptionCannotBeChangedByThoseWhoCatchIt() {
        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("immutable"));
        CircuitBreakerOpenException shared = breaker.openException();

        shared.addSuppressed(new IOException("a caller's cleanup failed"));
        assertThatThrownBy(() -> shared.initCause(new IOException("a caller's cause"))).isInstanceOf(IllegalStateException.class);

        assertThat(breaker.openException().getSuppressed()).isEmpty();
        assertThat(breaker.openException().getCause()).isNull();
    }

    @Test
    void refusingWhileOpenAllocatesNothing() {
        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("no-garbage"));
        java.util.function.Supplier<String> call = () -> "x";
        for (int i = 0; i < 20_000; i++) {
            refuse(breaker, call);   // the thread's counter cell and the shared exception are made here
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            refuse(breaker, call);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertThat(allocated).as("bytes allocated by 100,000 refusals").isLessThan(1_000);
        assertThat(breaker.snapshot().rejectedCalls()).isEqualTo(120_000);
    }

    private static void refuse(CircuitBreaker breaker, java.util.function.Supplier<String> call) {
        try {
            breaker.execute(call);
            throw new AssertionError("admitted");
        } catch (CircuitBreakerOpenException expected) {
            // the refusal
        }
    }

    @Test
    void withTheSystemClockAnOpenBreakerAdmitsATrialOnlyOnceItsResetTimeoutHasPassed() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("system-clock")
                .resetTimeout(Duration.ofMillis(300)).build());
        for (int i = 1; i < breaker.config().failureThreshold(); i++) {
            breaker.recordFailure("down");
        }
        long opened = System.nanoTime();
        breaker.recordFailure("down");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).until(breaker::canExecute);

        assertThat(System.nanoTime() - opened).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
    }
}
