package io.breakwater.breaker.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AckTrackerTest {

    /** A clock whose next reading waits until the test lets it go: it holds a writer between its two steps. */
    static final class HoldingClock implements Clock {
        final ManualClock time = new ManualClock();
        volatile CountDownLatch reached;
        volatile CountDownLatch release;

        @Override
        public long nanoTime() {
            CountDownLatch r = reached;
            if (r != null && Thread.currentThread().getName().equals("sender")) {
                reached = null;
                r.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return time.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return time.currentTimeMillis();
        }
    }

    @Test
    void aSendCountedButNotYetTimedIsNeverReadAsAnOldSend() throws Exception {
        HoldingClock clock = new HoldingClock();
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("acks").failureThreshold(1).clock(clock).build());
        AckTracker tracker = new AckTracker(breaker, clock, Duration.ofSeconds(2), "inFlightThreshold");
        // A full lap of healthy sends, long ago: every slot holds an old send time.
        for (int i = 0; i < 1 << 16; i++) {
            tracker.sent();
            tracker.acknowledged();
        }
        clock.time.advance(Duration.ofSeconds(10));
        CountDownLatch reached = new CountDownLatch(1);
        clock.release = new CountDownLatch(1);
        clock.reached = reached;
        Thread sender = new Thread(tracker::sent, "sender");   // takes position 65,536, then reads the clock
        sender.start();
        assertThat(reached.await(10, TimeUnit.SECONDS)).as("the sender took its position").isTrue();

        tracker.run();   // the watchdog ticks while the send's time is not written yet

        clock.release.countDown();
        sender.join(10_000);
        assertThat(breaker.snapshot().failedCalls()).as("the slot still held a send from 10 s ago").isZero();
        tracker.acknowledged();
        assertThat(breaker.snapshot().successfulCalls()).isZero(); // the interceptor records; the tracker only says so
    }

    /** Twenty records sent at once, answered one every 200 ms (each a success), the watchdog checking every 100 ms. */
    private static void backlogOfTwenty(ManualClock clock, AckTracker tracker) {
        for (int i = 0; i < 20; i++) {
            tracker.sent();
        }
        for (int i = 0; i < 20; i++) {
            for (int tick = 0; tick < 2; tick++) {
                clock.advanceMillis(100);
                tracker.run();
            }
            tracker.acknowledged();
            tracker.succeeded();
        }
    }

    @Test
    void aBacklogTheClusterWorksThroughCountsNoFailureThoughEveryRecordWaitsLongerThanTheThreshold() {
        ManualClock clock = new ManualClock();
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("backlog").failureThreshold(100).clock(clock).build());
        AckTracker tracker = new AckTracker(breaker, clock, Duration.ofSeconds(2), "inFlightThreshold");
        backlogOfTwenty(clock, tracker);   // the last record waited 4 s
        assertThat(breaker.snapshot().failedCalls()).isZero();
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void aBacklogThatStopsCountsEachRecordLeftTheThresholdAfterTheLastSuccess() {
        ManualClock clock = new ManualClock();
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("stopped").failureThreshold(100).clock(clock).build());
        AckTracker tracker = new AckTracker(breaker, clock, Duration.ofSeconds(2), "inFlightThreshold");
        for (int i = 0; i < 6; i++) {
            tracker.sent();
        }
        for (int i = 0; i < 3; i++) {   // answered at 1.0, 2.0 and 3.0 s, then nothing
            clock.advanceMillis(1_000);
            tracker.run();
            tracker.acknowledged();
            tracker.succeeded();
        }
        clock.advanceMillis(1_900);
        tracker.run();
        assertThat(breaker.snapshot().failedCalls()).as("1.9 s after the last success").isZero();
        clock.advanceMillis(100);
        tracker.run();
        assertThat(breaker.snapshot().failedCalls()).as("2 s after the last success").isEqualTo(3);
        assertThat(breaker.snapshot().lastFailure()).contains("no acknowledgement for 5000 ms");
    }

    @Test
    void theClustersRefusalsDoNotMoveTheLineButDoSayItAnswers() {
        ManualClock clock = new ManualClock();
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("refused").failureThreshold(100).clock(clock).build());
        AckTracker tracker = new AckTracker(breaker, clock, Duration.ofSeconds(2), "inFlightThreshold");
        for (int i = 0; i < 10; i++) {   // five to a partition that stopped, five to a topic the producer may not write
            tracker.sent();
        }
        clock.advanceMillis(1_500);
        for (int i = 0; i < 5; i++) {   // the cluster refuses those five: it answers, but nothing went through
            tracker.acknowledged();
            tracker.refusedByCluster();
        }
        clock.advanceMillis(400);
        tracker.run();
        assertThat(breaker.snapshot().failedCalls()).isZero();
        clock.advanceMillis(100);
        tracker.run();
        assertThat(breaker.snapshot().failedCalls()).as("five records unanswered for 2 s, their line never moved").isEqualTo(5);
        assertThat(breaker.state()).as("not a stall: the cluster answered 0.5 s ago").isEqualTo(CircuitBreakerState.CLOSED);
    }
}
