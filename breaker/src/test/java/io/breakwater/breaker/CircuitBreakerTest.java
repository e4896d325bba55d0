package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private final ManualClock clock = new ManualClock();
    private final List<StateTransition> transitions = new ArrayList<>();

    private CircuitBreaker breaker(CircuitBreakerConfigBuilder builder) {
        CircuitBreaker breaker = CircuitBreaker.of(builder.clock(clock).build());
        breaker.onTransition(transitions::add);
        return breaker;
    }

    private CircuitBreaker defaults() {
        return breaker(CircuitBreakerConfig.builder("test"));
    }

    private static void fail(CircuitBreaker breaker, int times) {
        for (int i = 0; i < times; i++) {
            breaker.recordFailure(new IOException("boom " + i));
        }
    }

    private static void succeed(CircuitBreaker breaker, int times) {
        for (int i = 0; i < times; i++) {
            breaker.recordSuccess();
        }
    }

    private void openAndWait(CircuitBreaker breaker) {
        fail(breaker, breaker.config().failureThreshold());
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        clock.advance(breaker.config().resetTimeout());
    }

    @Nested
    class Closed {
        @Test
        void startsClosedAndAdmitsCalls() {
            CircuitBreaker breaker = defaults();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(breaker.canExecute()).isTrue();
        }

        @Test
        void opensAfterFiveConsecutiveFailures() {
            CircuitBreaker breaker = defaults();
            fail(breaker, 4);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            fail(breaker, 1);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(transitions).singleElement().satisfies(t -> {
                assertThat(t.from()).isEqualTo(CircuitBreakerState.CLOSED);
                assertThat(t.to()).isEqualTo(CircuitBreakerState.OPEN);
                assertThat(t.reason()).contains("5 consecutive failure");
                assertThat(t.failureCount()).isEqualTo(5);
                assertThat(t.lastError()).isEqualTo("java.io.IOException: boom 0");
                assertThat(t.sequence()).isEqualTo(1);
                assertThat(t.at()).isEqualTo(clock.instant());
            });
        }

        @Test
        void aSuccessResetsTheConsecutiveFailureCount() {
            CircuitBreaker breaker = defaults();
            fail(breaker, 4);
            breaker.recordSuccess();
            fail(breaker, 4);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(breaker.snapshot().consecutiveFailures()).isEqualTo(4);
        }

        @Test
        void opensWhenTheCountWindowFailureRateReachesTheThreshold() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("w").failureThreshold(100)
                    .windowSize(10).minimumCalls(10).failureRateThreshold(0.5));
            for (int i = 0; i < 4; i++) {
                breaker.recordSuccess();
                fail(breaker, 1);
            }
            breaker.recordSuccess();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED); // 4 of 9: below minimum calls
            fail(breaker, 1);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN); // 5 of 10 = 50 %
            assertThat(transitions.get(0).reason()).contains("failure rate 50.0% >= 50.0% over the last 10 calls");
            assertThat(transitions.get(0).failureRate()).isEqualTo(0.5);
        }

        @Test
        void theCountWindowForgetsOutcomesOlderThanItsSize() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("w").failureThreshold(100)
                    .windowSize(4).minimumCalls(4).failureRateThreshold(0.75));
            fail(breaker, 2);
            succeed(breaker, 4); // the two failures slide out
            fail(breaker, 2);
            assertThat(breaker.snapshot().windowFailures()).isEqualTo(2);
            assertThat(breaker.snapshot().windowCalls()).isEqualTo(4);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            fail(breaker, 1);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        }

        @Test
        void theRateNeedsMinimumCalls() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("w").failureThreshold(100)
                    .windowSize(20).minimumCalls(8).failureRateThreshold(0.5));
            fail(breaker, 1);
            breaker.recordSuccess();
            fail(breaker, 1);
            breaker.recordSuccess();
            fail(breaker, 3);
            assertThat(breaker.state()).as("5 of 7 failed, below 8 calls").isEqualTo(CircuitBreakerState.CLOSED);
            fail(breaker, 1);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        }

        @Test
        void theTimeWindowCountsOnlyTheLastSeconds() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("t").failureThreshold(100)
                    .windowDuration(Duration.ofSeconds(10)).minimumCalls(4).failureRateThreshold(0.5));
            fail(breaker, 3);
            clock.advance(Duration.ofSeconds(11)); // those three age out
            succeed(breaker, 2);
            fail(breaker, 1);
            assertThat(breaker.snapshot().windowCalls()).isEqualTo(3);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            clock.advance(Duration.ofSeconds(5));
            fail(breaker, 1); // 2 of 4 in the last 10 s
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(transitions.get(0).reason()).contains("over the last 10 s");
        }

        @Test
        void opensWhenTheSlowCallRateReachesTheThreshold() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("s").windowSize(10).minimumCalls(4)
                    .slowCallDuration(Duration.ofSeconds(1)).slowCallRateThreshold(0.5));
            long slow = Duration.ofMillis(1500).toNanos();
            long fast = Duration.ofMillis(10).toNanos();
            breaker.recordSuccess(fast);
            breaker.recordSuccess(slow);
            breaker.recordSuccess(fast);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            breaker.recordSuccess(slow); // 2 of 4 slow
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(transitions.get(0).reason()).contains("slow-call rate 50.0%");
            assertThat(transitions.get(0).slowCallRate()).isEqualTo(0.5);
            assertThat(breaker.snapshot().slowCalls()).isEqualTo(2);
        }

        @Test
        void aCallExactlyAtTheSlowDurationIsSlow() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("s").windowSize(2).minimumCalls(1)
                    .slowCallDuration(Duration.ofSeconds(1)).slowCallRateThreshold(1.0));
            breaker.recordSuccess(Duration.ofSeconds(1).toNanos() - 1);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            breaker.recordSuccess(Duration.ofSeconds(1).toNanos());
            assertThat(breaker.snapshot().slowCalls()).isEqualTo(1);
        }
    }

    @Nested
    class Open {
        @Test
        void rejectsUntilTheResetTimeoutElapses() {
            CircuitBreaker breaker = defaults();
            fail(breaker, 5);
            assertThat(breaker.canExecute()).isFalse();
            clock.advance(Duration.ofSeconds(30).minusMillis(1));
            assertThat(breaker.canExecute()).isFalse();
            assertThat(breaker.snapshot().rejectedCalls()).isEqualTo(2);
            clock.advanceMillis(1);
            assertThat(breaker.canExecute()).isTrue();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
            assertThat(transitions.get(1).reason()).isEqualTo("reset timeout of 30 s elapsed");
        }

        @Test
        void theOpenExceptionNamesTheBreakerAndTheNextPermittedTime() {
            CircuitBreaker breaker = defaults();
            fail(breaker, 5);
            Instant expected = clock.instant().plusSeconds(30);
            clock.advance(Duration.ofSeconds(10));
            CircuitBreakerOpenException e = breaker.openException();
            assertThat(e.breakerName()).isEqualTo("test");
            assertThat(e.state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(e.nextPermittedAt()).contains(expected);
            assertThat(e.getMessage()).isEqualTo(
                    "Circuit breaker 'test' is OPEN; next call permitted at " + expected + " (in 20.0 s)");
            assertThat(e.getStackTrace()).isEmpty();
        }

        @Test
        void stackTracesCanBeSwitchedOn() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("st").writableStackTrace(true));
            breaker.forceOpen();
            assertThatThrownBy(() -> breaker.execute(() -> "x"))
                    .isInstanceOf(CircuitBreakerOpenException.class)
                    .satisfies(e -> assertThat(e.getStackTrace()).isNotEmpty());
        }

        @Test
        void snapshotShowsTheNextAttempt() {
            CircuitBreaker breaker = defaults();
            fail(breaker, 5);
            assertThat(breaker.snapshot().nextAttempt()).contains(clock.instant().plusSeconds(30));
            assertThat(breaker.snapshot().lastFailureAt()).isEqualTo(clock.instant());
            assertThat(breaker.snapshot().since()).isEqualTo(clock.instant());
            assertThat(breaker.snapshot().lastFailure()).isEqualTo("java.io.IOException: boom 4");
        }

        @Test
        void checkTimeoutsMovesToHalfOpenWithoutACall() {
            CircuitBreaker breaker = defaults();
            fail(breaker, 5);
            breaker.checkTimeouts();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
            clock.advance(Duration.ofSeconds(30));
            breaker.checkTimeouts();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        }

        @Test
        void backoffMultipliesTheWaitOnEachReopenUpToTheCap() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("b").failureThreshold(1)
                    .resetTimeout(Duration.ofSeconds(10)).exponentialBackoff(2.0, Duration.ofSeconds(35)));
            fail(breaker, 1);
            List<Duration> waits = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Instant openedAt = clock.instant();
                Instant next = breaker.snapshot().nextAttemptAt();
                waits.add(Duration.between(openedAt, next));
                clock.advance(Duration.between(openedAt, next));
                assertThat(breaker.canExecute()).isTrue();
                fail(breaker, 1); // the trial fails: re-open
            }
            assertThat(waits).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20),
                    Duration.ofSeconds(35), Duration.ofSeconds(35));
        }

        @Test
        void closingResetsTheBackoff() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("b").failureThreshold(1).successThreshold(1)
                    .resetTimeout(Duration.ofSeconds(10)).exponentialBackoff(2.0, Duration.ofMinutes(5)));
            fail(breaker, 1);
            clock.advance(Duration.ofSeconds(10));
            assertThat(breaker.canExecute()).isTrue();
            fail(breaker, 1); // wait is now 20 s
            clock.advance(Duration.ofSeconds(20));
            assertThat(breaker.canExecute()).isTrue();
            breaker.recordSuccess();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            fail(breaker, 1);
            assertThat(breaker.snapshot().nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(10));
        }

        @Test
        void jitterKeepsEachWaitWithinItsBounds() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("j").failureThreshold(1)
                    .resetTimeout(Duration.ofSeconds(10)).jitter(0.2));
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < 500; i++) {
                long wait = breaker.machine.moves.openWaitNanos(0);
                min = Math.min(min, wait);
                max = Math.max(max, wait);
            }
            assertThat(min).isGreaterThanOrEqualTo(Duration.ofSeconds(8).toNanos());
            assertThat(max).isLessThanOrEqualTo(Duration.ofSeconds(12).toNanos());
            assertThat(max - min).as("the waits are spread").isGreaterThan(Duration.ofSeconds(2).toNanos());
        }
    }

    @Nested
    class HalfOpen {
        @Test
        void admitsAtMostThreeTrialCalls() {
            CircuitBreaker breaker = defaults();
            openAndWait(breaker);
            assertThat(breaker.canExecute()).isTrue();
            assertThat(breaker.canExecute()).isTrue();
            assertThat(breaker.canExecute()).isTrue();
            assertThat(breaker.canExecute()).isFalse();
            assertThat(breaker.openException().state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        }

        @Test
        void closesAfterThreeSuccesses() {
            CircuitBreaker breaker = defaults();
            openAndWait(breaker);
            for (int i = 0; i < 3; i++) {
                assertThat(breaker.canExecute()).isTrue();
                breaker.recordSuccess();
            }
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(transitions).extracting(StateTransition::to).containsExactly(
                    CircuitBreakerState.OPEN, CircuitBreakerState.HALF_OPEN, CircuitBreakerState.CLOSED);
            assertThat(transitions.get(2).successCount()).isEqualTo(3);
        }

        @Test
        void anyFailureReopens() {
            CircuitBreaker breaker = defaults();
            openAndWait(breaker);
            assertThat(breaker.canExecute()).isTrue();
            breaker.recordSuccess();
            assertThat(breaker.canExecute()).isTrue();
            breaker.recordFailure(new IOException("still down"));
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(transitions.get(2).reason()).isEqualTo("trial call failed: java.io.IOException: still down");
            assertThat(breaker.canExecute()).isFalse();
        }

        @Test
        void unansweredTrialsCountAsFailuresAfterTheMaxWait() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("h").halfOpenMaxWait(Duration.ofSeconds(5)));
            openAndWait(breaker);
            for (int i = 0; i < 3; i++) {
                assertThat(breaker.canExecute()).isTrue();
            }
            clock.advance(Duration.ofSeconds(4));
            assertThat(breaker.canExecute()).isFalse();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
            clock.advance(Duration.ofSeconds(1));
            assertThat(breaker.canExecute()).isFalse();
            assertThat(breaker.state()).as("not stuck in HALF_OPEN").isEqualTo(CircuitBreakerState.OPEN);
            assertThat(transitions.get(2).reason()).isEqualTo("3 trial call(s) unanswered after 5 s");
        }

        @Test
        void halfOpenMaxWaitDefaultsToTheResetTimeout() {
            CircuitBreakerConfig config = CircuitBreakerConfig.builder("d").resetTimeout(Duration.ofSeconds(7)).build();
            assertThat(config.halfOpenMaxWait()).isEqualTo(Duration.ofSeconds(7));
        }

        @Test
        void anIgnoredTrialGivesItsPermitBack() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("i").ignoreExceptions(IllegalArgumentException.class));
            openAndWait(breaker);
            for (int i = 0; i < 3; i++) {
                assertThat(breaker.canExecute()).isTrue();
            }
            breaker.recordFailure(new IllegalArgumentException("caller bug"));
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
            assertThat(breaker.canExecute()).isTrue();
            assertThat(breaker.snapshot().ignoredCalls()).isEqualTo(1);
        }

        @Test
        void aSlowTrialReopensWhenASlowCallRateIsSet() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("s").windowSize(10)
                    .slowCallDuration(Duration.ofSeconds(1)).slowCallRateThreshold(0.5));
            openAndWait(breaker);
            assertThat(breaker.canExecute()).isTrue();
            breaker.recordSuccess(Duration.ofSeconds(2).toNanos());
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        }
    }

    @Nested
    class Predicates {
        @Test
        void ignoredThrowablesDoNotTripTheBreaker() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("p").ignoreExceptions(IllegalArgumentException.class));
            for (int i = 0; i < 10; i++) {
                breaker.recordFailure(new IllegalArgumentException("bad input"));
            }
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(breaker.snapshot().ignoredCalls()).isEqualTo(10);
            assertThat(breaker.snapshot().failedCalls()).isZero();
        }

        @Test
        void onlyRecordedThrowablesCount() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("p").failureThreshold(2)
                    .recordFailure(t -> t instanceof IOException));
            breaker.recordFailure(new IllegalStateException("not ours"));
            breaker.recordFailure(new IllegalStateException("not ours"));
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            fail(breaker, 2);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        }

        @Test
        void ignoreWinsOverRecord() {
            CircuitBreakerConfig config = CircuitBreakerConfig.builder("p").recordFailure(t -> true)
                    .ignoreExceptions(IOException.class).build();
            assertThat(config.isRecordedFailure(new IOException())).isFalse();
            assertThat(config.isRecordedFailure(new java.io.UncheckedIOException(new IOException()))).isTrue();
        }

        @Test
        void failureDetailsCountAlways() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("p").failureThreshold(1));
            breaker.recordFailure("connection refused");
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(breaker.snapshot().lastFailure()).isEqualTo("connection refused");
        }

        @Test
        void secretsNeverReachTheFailureDetails() {
            CircuitBreaker breaker = defaults();
            breaker.recordFailure(new IllegalStateException("login failed: password=hunter2, user=bob"));
            assertThat(breaker.snapshot().lastFailure()).doesNotContain("hunter2").contains("password=****");
        }
    }

    @Nested
    class Manual {
        @Test
        void forcedOpenRejectsEverythingUntilReset() {
            CircuitBreaker breaker = defaults();
            breaker.forceOpen();
            clock.advance(Duration.ofHours(1));
            assertThat(breaker.canExecute()).isFalse();
            assertThat(breaker.openException().nextPermittedAt()).isEmpty();
            assertThat(breaker.openException().getMessage()).contains("FORCED_OPEN; no call is permitted until it is reset");
            breaker.reset();
            assertThat(breaker.canExecute()).isTrue();
            assertThat(transitions).extracting(StateTransition::to)
                    .containsExactly(CircuitBreakerState.FORCED_OPEN, CircuitBreakerState.CLOSED);
        }

        @Test
        void disabledAdmitsEverythingAndCountsNothing() {
            CircuitBreaker breaker = defaults();
            breaker.disable();
            fail(breaker, 50);
            assertThat(breaker.canExecute()).isTrue();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.DISABLED);
            assertThat(breaker.snapshot().failedCalls()).isZero();
        }

        @Test
        void resetClearsCountersAndLeavesOpen() {
            CircuitBreaker breaker = defaults();
            fail(breaker, 5);
            breaker.reset();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            fail(breaker, 4);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        }

        @Test
        void forcingTheSameStateTwiceIsOneTransition() {
            CircuitBreaker breaker = defaults();
            breaker.forceOpen();
            breaker.forceOpen();
            assertThat(transitions).hasSize(1);
        }
    }

    @Nested
    class Wrappers {
        @Test
        void callRecordsSuccessAndFailure() throws Exception {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("c").failureThreshold(2));
            assertThat(breaker.call(() -> 42)).isEqualTo(42);
            assertThatThrownBy(() -> breaker.call(() -> {
                throw new IOException("down");
            })).isInstanceOf(IOException.class).hasMessage("down");
            assertThat(breaker.snapshot().successfulCalls()).isEqualTo(1);
            assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
        }

        @Test
        void callThrowsTheOpenExceptionWithoutRunningTheCallable() {
            CircuitBreaker breaker = defaults();
            breaker.forceOpen();
            boolean[] ran = {false};
            assertThatThrownBy(() -> breaker.call(() -> ran[0] = true))
                    .isInstanceOf(CircuitBreakerOpenException.class);
            assertThat(ran[0]).isFalse();
        }

        @Test
        void callStatsAddUpCountsAndDurations() throws Exception {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("timed").slowCallDuration(Duration.ofSeconds(1)));
            breaker.call(() -> clock.advance(Duration.ofMillis(30)));
            breaker.recordFailure(new IOException("x"), Duration.ofMillis(70).toNanos());
            breaker.recordSuccess();
            CallStats stats = breaker.callStats();
            assertThat(stats.successful()).isEqualTo(2);
            assertThat(stats.failed()).isEqualTo(1);
            assertThat(stats.successfulNanos()).isEqualTo(Duration.ofMillis(30).toNanos());
            assertThat(stats.failedNanos()).isEqualTo(Duration.ofMillis(70).toNanos());
        }

        @Test
        void callsAreNotTimedWithoutASlowCallDuration() throws Exception {
            CircuitBreaker breaker = defaults();
            breaker.call(() -> clock.advance(Duration.ofMillis(30)));
            assertThat(breaker.callStats().successful()).isEqualTo(1);
            assertThat(breaker.callStats().successfulNanos()).isZero();
        }

        @Test
        void callMeasuresDurationForSlowCalls() throws Exception {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("c").slowCallDuration(Duration.ofSeconds(1)));
            breaker.call(() -> clock.advance(Duration.ofSeconds(2)));
            assertThat(breaker.snapshot().slowCalls()).isEqualTo(1);
        }

        @Test
        void executeAsyncCompletesExactlyAsTheStage() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("a").failureThreshold(1));
            CompletableFuture<String> source = new CompletableFuture<>();
            CompletableFuture<String> result = breaker.executeAsync(() -> source);
            assertThat(result).isNotDone();
            source.complete("ok");
            assertThat(result).isCompletedWithValue("ok");

            IOException failure = new IOException("down");
            CompletableFuture<String> failed = breaker.executeAsync(() -> CompletableFuture.failedFuture(failure));
            assertThat(failed).isCompletedExceptionally();
            assertThatThrownBy(failed::join).hasCause(failure);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        }

        @Test
        void executeAsyncFailsAtOnceWhenOpenAndDoesNotInvokeTheSupplier() {
            CircuitBreaker breaker = defaults();
            breaker.forceOpen();
            boolean[] invoked = {false};
            CompletableFuture<String> result = breaker.executeAsync(() -> {
                invoked[0] = true;
                return CompletableFuture.completedFuture("x");
            });
            assertThat(invoked[0]).isFalse();
            assertThatThrownBy(result::join).hasCauseInstanceOf(CircuitBreakerOpenException.class);
        }

        @Test
        void executeAsyncRecordsASupplierThatThrows() {
            CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("a").failureThreshold(1));
            CompletableFuture<String> result = breaker.executeAsync(() -> {
                throw new IllegalStateException("could not start");
            });
            assertThatThrownBy(result::join).hasCauseInstanceOf(IllegalStateException.class);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        }
    }

    @Nested
    class Listeners {
        @Test
        void aThrowingListenerIsContainedAndOthersStillHear() {
            CircuitBreaker breaker = defaults();
            breaker.onTransition(t -> {
                throw new IllegalStateException("listener bug");
            });
            List<StateTransition> second = new ArrayList<>();
            breaker.onTransition(second::add);
            fail(breaker, 5);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(second).hasSize(1);
        }

        @Test
        void aClosedSubscriptionHearsNothingMore() {
            CircuitBreaker breaker = defaults();
            List<StateTransition> heard = new ArrayList<>();
            Subscription s = breaker.onTransition(heard::add);
            breaker.forceOpen();
            s.close();
            s.close();
            breaker.reset();
            assertThat(heard).hasSize(1);
        }

        @Test
        void sequencesIncreaseByOne() {
            CircuitBreaker breaker = defaults();
            openAndWait(breaker);
            breaker.canExecute();
            breaker.recordFailure(new IOException());
            breaker.forceOpen();
            breaker.reset();
            assertThat(transitions).extracting(StateTransition::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
        }
    }
}
