package io.breakwater.consumer;

import static io.breakwater.consumer.Fixture.P0;
import static io.breakwater.consumer.Fixture.P1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreakerState;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loop on a thread of its own: transitions from other threads, close, the watchdog, interrupts. */
class ThreadingTest {

    private final Fixture f = new Fixture();
    private final CountDownLatch release = new CountDownLatch(1);
    private GatedConsumer<String, String> gated;

    @AfterEach
    void closeIt() {
        release.countDown();
        if (gated != null) {
            gated.close(Duration.ofSeconds(5));
        }
    }

    private GatedConsumer<String, String> started(GatedConsumerBuilder<String, String> builder) {
        f.consumer.blockingPolls = true;
        f.consumer.beforePoll = () -> f.assign(P0, P1);
        gated = builder.pollTimeout(Duration.ofMillis(20)).build().start();
        await().atMost(Duration.ofSeconds(5)).until(() -> f.consumer.assignment().size() == 2);
        return gated;
    }

    @Test
    void transitionsMadeOnOtherThreadsReachTheConsumerOnlyThroughTheLoopsOwnThread() {
        started(f.builder().recordHandler(f.handler()));
        f.breaker.forceOpen(); // on the test thread
        await().atMost(Duration.ofSeconds(5)).until(() -> f.consumer.paused().size() == 2);
        f.breaker.reset();
        await().atMost(Duration.ofSeconds(5)).until(() -> f.consumer.paused().isEmpty());
        f.produce(P0, 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> f.committed(P0) == 3);

        assertThat(f.consumer.threads).containsExactly("breakwater-consumer-orders-db");
        assertThat(f.consumer.wakeups).hasValue(0);
    }

    @Test
    void aWakeupFromOutsideNeverReachesTheHandlerOrEndsTheLoop() {
        started(f.builder().recordHandler(f.handler()));
        f.consumer.wakeup();
        f.produce(P0, 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> f.committed(P0) == 2);

        assertThat(gated.failure()).isEmpty();
        assertThat(gated.stats().state()).isEqualTo(ConsumerStats.State.RUNNING);
    }

    @Test
    void closeNeverWaitsLongerThanItsTimeoutForABlockedHandlerAndTheLoopCommitsWhenTheHandlerReturns() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        started(f.builder().recordHandler(r -> {
            entered.countDown();
            release.await();
        }).handlerBlockThreshold(Duration.ofMinutes(1)));
        f.produce(P0, 3);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        long start = System.nanoTime();
        assertThat(gated.close(Duration.ofMillis(300))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> gated.stats().state() == ConsumerStats.State.CLOSED);

        assertThat(f.consumer.closed()).isTrue();
        assertThat(f.committed(P0)).isEqualTo(1); // the record in progress, and nothing after it
    }

    @Test
    void aHandlerBlockedPastTheThresholdCountsWhileStillBlockedAndOpensTheBreakerAsAStall() throws Exception {
        Fixture lenient = new Fixture(b -> b.failureThreshold(5).resetTimeout(Duration.ofSeconds(30)));
        CountDownLatch entered = new CountDownLatch(1);
        lenient.consumer.blockingPolls = true;
        lenient.consumer.beforePoll = () -> lenient.assign(P0);
        gated = lenient.builder().recordHandler(r -> {
            lenient.calls.add(r.partition() + "-" + r.offset());
            entered.countDown();
            release.await();
        }).pollTimeout(Duration.ofMillis(20)).build().start();
        lenient.produce(P0, 5);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        lenient.clock.advance(Duration.ofMillis(2_100));

        await().atMost(Duration.ofSeconds(5)).until(() -> lenient.breaker.state() == CircuitBreakerState.OPEN);
        assertThat(lenient.breaker.callStats().failed()).isEqualTo(1);
        assertThat(lenient.breaker.snapshot().lastFailure()).contains("record handler blocked for 2100 ms");
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> gated.stats().pausedPartitions() == 1);

        assertThat(lenient.calls).containsExactly("0-0");
        assertThat(lenient.breaker.callStats().successful()).isZero(); // the late success was not counted again
        await().atMost(Duration.ofSeconds(5)).until(() -> lenient.committed(P0) == 1);
    }

    @Test
    void closeFromInsideTheHandlerEndsTheLoopAfterThatRecord() {
        started(f.builder().recordHandler(r -> {
            f.calls.add(r.partition() + "-" + r.offset());
            gated.close();
        }));
        f.produce(P0, 5);
        await().atMost(Duration.ofSeconds(5)).until(() -> gated.stats().state() == ConsumerStats.State.CLOSED);

        assertThat(f.calls).containsExactly("0-0");
        assertThat(f.committed(P0)).isEqualTo(1);
    }

    @Test
    void interruptingTheLoopsThreadEndsItLikeAClose() throws Exception {
        Thread[] loopThread = new Thread[1];
        started(f.builder().recordHandler(r -> {
            loopThread[0] = Thread.currentThread();
            f.calls.add(r.partition() + "-" + r.offset());
        }));
        f.produce(P0, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> f.committed(P0) == 1);
        f.consumer.beforePoll = () -> {
            throw new org.apache.kafka.common.errors.InterruptException(new InterruptedException());
        };
        await().atMost(Duration.ofSeconds(5)).until(() -> gated.stats().state() == ConsumerStats.State.CLOSED);

        assertThat(gated.failure()).isEmpty();
        assertThat(f.consumer.closed()).isTrue();
    }

    @Test
    void aHandlerInterruptedEndsTheLoopWithoutCountingOrCommittingItsRecord() {
        started(f.builder().recordHandler(r -> {
            f.calls.add(r.partition() + "-" + r.offset());
            if (r.offset() == 1) {
                throw new InterruptedException("shutting down");
            }
        }));
        f.produce(P0, 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> gated.stats().state() == ConsumerStats.State.CLOSED);

        assertThat(f.calls).containsExactly("0-0", "0-1");
        assertThat(f.committed(P0)).isEqualTo(1);
        assertThat(f.breaker.callStats().failed()).isZero();
        assertThat(gated.failure()).isEmpty();
    }

    @Test
    void aHandlerThatWrapsItsInterruptEndsTheLoopWithoutSkippingItsRecordEvenWhenSuchFailuresDoNotCount() {
        // The usual idiom: keep the flag, throw something unchecked. Counted or not, the record was not handled.
        started(f.builder().countsAsFailure(e -> false).recordHandler(r -> {
            f.calls.add(r.partition() + "-" + r.offset());
            if (r.offset() == 1) {
                try {
                    throw new InterruptedException("shutting down");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while writing", e);
                }
            }
        }));
        f.produce(P0, 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> gated.stats().state() == ConsumerStats.State.CLOSED);

        assertThat(f.calls).containsExactly("0-0", "0-1");
        assertThat(f.committed(P0)).as("0-1 is not committed: it was never handled").isEqualTo(1);
        assertThat(gated.stats().recordsFailed()).as("not given to the failed-record handler").isZero();
        assertThat(f.breaker.callStats().failed()).isZero();
    }

    @Test
    void anInterruptAmongTheCausesWithTheFlagClearIsAnotherThreadsAndAFailureOfTheHandler() {
        started(f.builder().recordHandler(r -> {
            f.calls.add(r.partition() + "-" + r.offset());
            if (r.offset() == 1) {
                throw new IllegalStateException("a worker of the handler was interrupted", new InterruptedException());
            }
        }));
        f.produce(P0, 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> f.breaker.callStats().failed() == 1);

        assertThat(gated.stats().state()).as("the loop runs on").isNotEqualTo(ConsumerStats.State.CLOSED);
        assertThat(f.committed(P0)).isEqualTo(1);
    }

    @Test
    void aHandlerThatIgnoresAnInterruptAndSucceedsEndsTheRoundAfterItsRecord() {
        started(f.builder().recordHandler(r -> {
            f.calls.add(r.partition() + "-" + r.offset());
            if (r.offset() == 1) {
                Thread.currentThread().interrupt();   // as a driver that does not answer interrupts would leave it
            }
        }));
        f.produce(P0, 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> gated.stats().state() == ConsumerStats.State.CLOSED);

        assertThat(f.calls).containsExactly("0-0", "0-1");
        assertThat(f.committed(P0)).as("0-1 was handled; 0-2 never began").isEqualTo(2);
    }

    @Test
    void aFailedRecordHandlerInterruptedEndsTheLoopWithoutCountingAnAttemptOrDroppingTheRecord() {
        started(f.builder().countsAsFailure(e -> false).maxAttempts(2)
                .recordHandler(r -> {
                    f.calls.add(r.partition() + "-" + r.offset());
                    if (r.offset() == 1) {
                        throw new IllegalArgumentException("bad record");
                    }
                })
                .failedRecordHandler((r, failure) -> {
                    throw new InterruptedException("interrupted waiting for the dead letter's acknowledgement");
                }));
        f.produce(P0, 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> gated.stats().state() == ConsumerStats.State.CLOSED);

        assertThat(f.calls).containsExactly("0-0", "0-1");
        assertThat(f.committed(P0)).as("0-1 neither handed over nor dropped").isEqualTo(1);
        assertThat(gated.stats().recordsDropped()).isZero();
        assertThat(gated.failure()).isEmpty();
    }

    @Test
    void aLoopClosedBeforeItRanClosesItsConsumerAndCannotBeStarted() {
        gated = f.builder().recordHandler(f.handler()).build();

        assertThat(gated.close(Duration.ZERO)).isTrue();
        assertThat(f.consumer.closed()).isTrue();
        assertThatThrownBy(gated::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("GatedConsumer 'orders-db' is closed");
    }

    @Test
    void closeRefusesANegativeTimeout() {
        gated = f.builder().recordHandler(f.handler()).build();

        assertThatThrownBy(() -> gated.close(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be >= 0, but was PT-0.001S");
    }
}
