package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a refused call throws and costs: a stackless exception of its own per refusal, nothing else. */
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
    void whileOpenEachRefusalThrowsAnExceptionOfItsOwnCountingFromWhenItWasRefused() {
        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("own"));
        Instant next = clock.instant().plusSeconds(30);
        clock.advance(Duration.ofSeconds(10));

        CircuitBreakerOpenException first = breaker.openException();
        clock.advance(Duration.ofSeconds(5));
        Throwable second = catchThrowable(() -> breaker.execute(() -> "x"));

        assertThat(second).isNotSameAs(first).isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(first.getMessage()).isEqualTo("Circuit breaker 'own' is OPEN; next call permitted at " + next + " (in 20.0 s)");
        assertThat(second.getMessage()).endsWith(" (in 15.0 s)");
        clock.advance(Duration.ofSeconds(5));
        assertThat(first.getMessage()).as("read later, the message still counts from the refusal").endsWith(" (in 20.0 s)");
        assertThat(first.nextPermittedAt()).contains(next);
        assertThat(first.getStackTrace()).isEmpty();
        assertThat(second.getStackTrace()).isEmpty();
    }

    @Test
    void aRefusalReadsNoWallClockOnlyTheMonotonicOne() {
        int[] wallReads = {0};
        Clock counting = new Clock() {
            @Override
            public long nanoTime() {
                return clock.nanoTime();
            }

            @Override
            public long currentTimeMillis() {
                wallReads[0]++;
                return clock.currentTimeMillis();
            }
        };
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("wall").clock(counting).build());
        for (int i = 0; i < breaker.config().failureThreshold(); i++) {
            breaker.recordFailure(new IOException("down"));
        }
        Instant next = clock.instant().plus(breaker.config().resetTimeout());
        clock.advance(Duration.ofSeconds(1));
        breaker.openException();   // the period's next permitted time, made once
        int before = wallReads[0];

        List<Throwable> refusals = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMillis(400));
            refusals.add(catchThrowable(() -> breaker.execute(() -> "x")));
            refusals.add(breaker.refusalNow());
        }

        assertThat(wallReads[0]).as("wall-clock reads by six refusals").isEqualTo(before);
        long seconds = breaker.config().resetTimeout().toSeconds();
        assertThat(refusals.get(0).getMessage()).as("read later, the wait still counts from its refusal")
                .endsWith(" (in " + (seconds - 2) + ".6 s)");
        assertThat(refusals.get(4).getMessage()).isEqualTo("Circuit breaker 'wall' is OPEN; next call permitted at " + next
                + " (in " + (seconds - 3) + ".8 s)");
    }

    @Test
    void refusalNowCountsARefusalWhileOpenAndNeitherTakesAPermitNorMovesTheState() {
        CircuitBreaker closed = CircuitBreaker.of(CircuitBreakerConfig.builder("closed").clock(clock).build());
        assertThat(closed.refusalNow()).isNull();
        assertThat(closed.snapshot().rejectedCalls()).isZero();

        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("early").resetTimeout(Duration.ofSeconds(30))
                .halfOpenMaxCalls(1).successThreshold(1));
        List<CircuitBreakerState> heard = new ArrayList<>();
        breaker.onTransition(t -> heard.add(t.to()));
        assertThat(breaker.refusalNow()).isInstanceOf(CircuitBreakerOpenException.class)
                .hasMessageStartingWith("Circuit breaker 'early' is OPEN");
        assertThat(breaker.snapshot().rejectedCalls()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(30));
        assertThat(breaker.refusalNow()).as("the retry time is due: the call's own permit decides").isNull();
        assertThat(breaker.state()).as("no transition on the asking thread").isEqualTo(CircuitBreakerState.OPEN);
        assertThat(heard).isEmpty();
        Permit trial = breaker.tryAcquirePermit();
        assertThat(trial).isNotNull();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        assertThat(breaker.refusalNow()).as("HALF_OPEN: never refused early, even with no trial left").isNull();
        assertThat(breaker.snapshot().rejectedCalls()).isEqualTo(1);
        breaker.recordSuccess(trial, 1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);

        breaker.forceOpen("by hand");
        assertThat(breaker.refusalNow()).hasMessageContaining("FORCED_OPEN");
        breaker.disable("by hand");
        assertThat(breaker.refusalNow()).isNull();
        assertThat(breaker.snapshot().rejectedCalls()).isEqualTo(2);
    }

    @Test
    void refusesNowHoldsExactlyWhileEveryCallIsRefusedAndCountsNothing() {
        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("asked").resetTimeout(Duration.ofSeconds(30))
                .halfOpenMaxCalls(1).successThreshold(1));
        assertThat(breaker.refusesNow()).isTrue();
        assertThat(breaker.snapshot().rejectedCalls()).as("asking is not a refusal").isZero();
        clock.advance(Duration.ofSeconds(30));
        assertThat(breaker.state().rejectsCalls()).as("OPEN until a call moves it").isTrue();
        assertThat(breaker.refusesNow()).as("but the retry time is due: a call would be let in").isFalse();
        Permit trial = breaker.tryAcquirePermit();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        assertThat(breaker.refusesNow()).as("HALF_OPEN: the permit decides").isFalse();
        breaker.recordSuccess(trial, 1);
        assertThat(breaker.refusesNow()).isFalse();
        breaker.forceOpen("by hand");
        assertThat(breaker.refusesNow()).isTrue();
        breaker.disable("by hand");
        assertThat(breaker.refusesNow()).isFalse();
        assertThat(breaker.snapshot().rejectedCalls()).isZero();
    }

    @Test
    void messagesOfTwoBreakersRefusingByTurnsEachNameTheirOwnBreakerAndTime() {
        CircuitBreaker a = opened(CircuitBreakerConfig.builder("a").resetTimeout(Duration.ofSeconds(30)));
        Instant nextA = clock.instant().plusSeconds(30);
        clock.advance(Duration.ofSeconds(1));
        CircuitBreaker b = opened(CircuitBreakerConfig.builder("b").resetTimeout(Duration.ofSeconds(60)));
        Instant nextB = clock.instant().plusSeconds(60);
        for (int i = 0; i < 3; i++) {
            assertThat(a.openException().getMessage())
                    .isEqualTo("Circuit breaker 'a' is OPEN; next call permitted at " + nextA + " (in " + (29 - i) + ".0 s)");
            assertThat(b.openException().getMessage())
                    .isEqualTo("Circuit breaker 'b' is OPEN; next call permitted at " + nextB + " (in " + (60 - i) + ".0 s)");
            clock.advance(Duration.ofSeconds(1));
        }
        clock.advance(Duration.ofMillis(450));
        assertThat(a.openException().getMessage()).as("tenths rounded half up").endsWith(" (in 25.6 s)");
        clock.advance(Duration.ofMillis(100));
        assertThat(a.openException().getMessage()).endsWith(" (in 25.5 s)");
    }

    @Test
    void aBodyAndACloseBothRefusedInTryWithResourcesGiveTheRefusalWithTheOtherSuppressed() {
        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("twr"));
        AutoCloseable guarded = () -> breaker.execute(() -> "flushed");

        Throwable thrown = catchThrowable(() -> {
            try (AutoCloseable resource = guarded) {
                breaker.execute(() -> "sent");
            }
        });

        assertThat(thrown).isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(thrown.getSuppressed()).hasSize(1).allMatch(CircuitBreakerOpenException.class::isInstance);
    }

    @Test
    void refusalsCollectedByACallerCanBeSuppressedIntoTheFirst() {
        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("collected"));
        List<Throwable> failures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            failures.add(catchThrowable(() -> breaker.execute(() -> "x")));
        }
        Throwable first = failures.get(0);

        failures.subList(1, failures.size()).forEach(first::addSuppressed);

        assertThat(first.getSuppressed()).hasSize(2);
    }

    @Test
    void eachOpenPeriodHasItsOwnRetryTime() {
        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("periods"));
        CircuitBreakerOpenException first = breaker.openException();
        clock.advance(Duration.ofSeconds(30));
        Permit trial = breaker.tryAcquirePermit();
        breaker.recordFailure(trial, new IOException("still down"), 1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);

        CircuitBreakerOpenException second = breaker.openException();

        assertThat(first.nextPermittedAt()).contains(clock.instant());
        assertThat(second.nextPermittedAt()).contains(clock.instant().plusSeconds(30));
    }

    @Test
    void forcedOpenRefusalsNameNoRetryTime() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("forced").clock(clock).build());
        breaker.forceOpen();
        CircuitBreakerOpenException first = breaker.openException();
        assertThat(breaker.openException()).isNotSameAs(first);
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
    void whatACallerAddsToOneRefusalStaysWithIt() {
        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("separate"));
        CircuitBreakerOpenException caught = breaker.openException();

        caught.addSuppressed(new IOException("a caller's cleanup failed"));
        assertThatThrownBy(() -> caught.initCause(new IOException("a caller's cause"))).isInstanceOf(IllegalStateException.class);

        assertThat(caught.getSuppressed()).hasSize(1);
        assertThat(breaker.openException().getSuppressed()).isEmpty();
        assertThat(breaker.openException().getCause()).isNull();
    }

    @Test
    void refusingWhileOpenAllocatesOneSmallExceptionAndNothingElse() {
        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("small"));
        java.util.function.Supplier<String> call = () -> "x";
        for (int i = 0; i < 20_000; i++) {
            refuse(breaker, call);   // the thread's counter cell and the retry instant are made here
        }
        long allocated = allocatedBy(() -> {
            for (int i = 0; i < 100_000; i++) {
                refuse(breaker, call);
            }
        });

        assertThat(allocated / 100_000.0).as("bytes allocated per refusal (its 64-byte exception)").isLessThan(72);
        assertThat(breaker.snapshot().rejectedCalls()).isEqualTo(120_000);
    }

    @Test
    void askingForAPermitWhileOpenAllocatesNothing() {
        CircuitBreaker breaker = opened(CircuitBreakerConfig.builder("no-garbage"));
        for (int i = 0; i < 20_000; i++) {
            assertThat(breaker.tryAcquirePermit()).isNull();
        }
        long allocated = allocatedBy(() -> {
            for (int i = 0; i < 100_000; i++) {
                if (breaker.tryAcquirePermit() != null) {
                    throw new AssertionError("admitted");
                }
            }
        });

        assertThat(allocated).as("bytes allocated by 100,000 refused permits").isLessThan(1_000);
        assertThat(breaker.snapshot().rejectedCalls()).isEqualTo(120_000);
    }

    private static long allocatedBy(Runnable work) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        work.run();
        return threads.getThreadAllocatedBytes(thread) - before;
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
