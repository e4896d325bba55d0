package io.breakwater.interceptors.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.breaker.Permit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClusterWideRuleTest {

    private static final Duration SILENCE = Duration.ofSeconds(2);

    private final ManualClock clock = new ManualClock();
    private final ClusterWideRule rule = new ClusterWideRule(clock, SILENCE);

    @Test
    void aFailureCountsOnlyAfterTheSilence() {
        rule.attempted("a");
        assertThat(rule.failed("a")).as("a send succeeded within the silence").isFalse();
        clock.advance(SILENCE);
        assertThat(rule.failed("a")).as("the only topic in use").isTrue();
    }

    @Test
    void withTwoTopicsInUseOneFailingTopicDoesNotCountButTwoDo() {
        rule.attempted("a");
        rule.attempted("b");
        clock.advance(SILENCE);
        assertThat(rule.failed("a")).isFalse();
        assertThat(rule.failed("a")).as("the same topic again").isFalse();
        assertThat(rule.clusterWide()).isFalse();
        assertThat(rule.failed("b")).isTrue();
        assertThat(rule.clusterWide()).isTrue();
    }

    @Test
    void aTopicLeavesUseOnceItsLastSendIsOlderThanTheHorizon() {
        rule.attempted("b");
        rule.attempted("a");
        clock.advance(Duration.ofSeconds(ClusterWideRule.HORIZON_SECONDS - 1));
        rule.attempted("a");
        assertThat(rule.failed("a")).as("b was sent to 29 s ago: still in use").isFalse();
        clock.advance(Duration.ofSeconds(1));
        rule.attempted("a");
        assertThat(rule.failed("a")).as("b was sent to 30 s ago: out of use").isTrue();
    }

    @Test
    void aSuccessAnywhereStartsTheCountOfFailingTopicsAgain() {
        rule.attempted("a");
        rule.attempted("b");
        clock.advance(SILENCE);
        rule.failed("a");
        assertThat(rule.failed("b")).isTrue();
        clock.advanceMillis(1);
        rule.succeeded("c");
        clock.advance(SILENCE);
        assertThat(rule.failed("b")).as("only b failed since the success").isFalse();
        assertThat(rule.failed("a")).isTrue();
    }

    @Test
    void manyTopicsInOneMillisecondStillCountAsSeveral() {
        for (int i = 0; i < 10_000; i++) {
            rule.attempted("t" + i);
        }
        rule.attempted("t9999");
        clock.advance(SILENCE);
        assertThat(rule.failed("t9999")).isFalse();
        assertThat(rule.failed("t9999")).isFalse();
        assertThat(rule.failed("t0")).isTrue();
    }

    @Test
    void aMarkThatReadTheClockBeforeTheLastCountsAsTheOtherTopicAndLosesNothing() {
        ClusterWideRule.LastTwo marks = new ClusterWideRule.LastTwo();
        marks.mark("a", 100);
        marks.mark("b", 98); // read the clock before a's mark, took the lock after it
        assertThat(marks.bothSince(98)).isTrue();
        assertThat(marks.bothSince(99)).as("b's mark is 98").isFalse();
        marks.mark("c", 101);
        assertThat(marks.bothSince(100)).as("a at 100 and c at 101").isTrue();
        assertThat(marks.bothSince(101)).isFalse();
    }

    @Test
    void concurrentMarksOfTheirOwnTopicsKeepTheTwoLatestTopics() throws Exception {
        int threads = 4;
        AtomicLong time = new AtomicLong();
        ClusterWideRule.LastTwo marks = new ClusterWideRule.LastTwo();
        long[] last = new long[threads];
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> markers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            Thread marker = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < 100_000; i++) {
                    long now = time.incrementAndGet(); // the clock, read before the lock as a sender does
                    marks.mark("topic-" + me, now);
                    last[me] = now;
                }
            });
            markers.add(marker);
            marker.start();
        }
        for (Thread marker : markers) {
            marker.join();
        }
        long[] sorted = last.clone();
        java.util.Arrays.sort(sorted);
        long secondLatest = sorted[threads - 2];
        assertThat(marks.bothSince(secondLatest)).as("the two topics marked last, at %s and %s", secondLatest,
                sorted[threads - 1]).isTrue();
        assertThat(marks.bothSince(secondLatest + 1)).isFalse();
    }

    @Test
    void inHalfOpenEachTopicHoldsOneTrialWhileSeveralTopicsAreInUse() {
        Permit[] trials = trials(4);
        rule.attempted("a");
        assertThat(rule.admit("a", trials[0])).isTrue();
        assertThat(rule.admit("a", trials[1])).as("one topic in use: it may take every trial").isTrue();
        rule.answered("a", trials[1]);
        rule.attempted("b");
        assertThat(rule.admit("a", trials[1])).as("a holds a trial and b is in use").isFalse();
        assertThat(rule.admit("b", trials[1])).isTrue();
        rule.answered("a", trials[0]);
        assertThat(rule.admit("a", trials[2])).as("a's trial was answered").isTrue();
        assertThat(rule.admit("b", trials[3])).isFalse();
    }

    @Test
    void aPermitOutsideHalfOpenIsAlwaysAdmitted() {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("closed").clock(clock).build());
        Permit permit = breaker.tryAcquirePermit();
        rule.attempted("a");
        rule.attempted("b");
        assertThat(rule.admit("a", permit)).isTrue();
        assertThat(rule.admit("a", permit)).isTrue();
    }

    /** {@code n} trial permits of a breaker in HALF_OPEN. */
    private Permit[] trials(int n) {
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("trials").clock(clock).failureThreshold(1)
                .resetTimeout(Duration.ofSeconds(1)).halfOpenMaxCalls(n).successThreshold(1).build());
        breaker.recordFailure(breaker.tryAcquirePermit(), new RuntimeException("down"), 0);
        clock.advance(Duration.ofSeconds(1));
        Permit[] permits = new Permit[n];
        for (int i = 0; i < n; i++) {
            permits[i] = breaker.tryAcquirePermit();
            assertThat(permits[i].isTrial()).isTrue();
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        return permits;
    }
}
