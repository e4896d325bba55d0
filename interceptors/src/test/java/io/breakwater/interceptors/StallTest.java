package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.breaker.watch.AckTracker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * One caller thread against a dead cluster: a single send in flight must open the breaker once it has waited
 * the in-flight threshold with nothing succeeding, whatever the failure threshold says.
 */
class StallTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("stall")
            .failureThreshold(5).resetTimeout(Duration.ofSeconds(30)).clock(clock).build());
    private final MockProducer<String, String> mock =
            new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
    private final CircuitBreakerProducer<String, String> producer =
            CircuitBreakerProducer.builder(mock).breaker(breaker).watchdog(false).build();

    private static ProducerRecord<String, String> record(String value) {
        return new ProducerRecord<>("orders", "k", value);
    }

    @Test
    void aSingleUnansweredSendOpensTheBreakerAtTheInFlightThresholdWhenNothingSucceeds() {
        producer.send(record("the only one"));
        clock.advance(Duration.ofMillis(1999));
        producer.checkNow();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        clock.advanceMillis(1);
        producer.checkNow();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().failedCalls()).as("the send itself counts once").isEqualTo(1);
    }

    @Test
    void aSlowSendDoesNotStallTheBreakerWhileOtherSendsSucceed() {
        producer.send(record("slow"));
        for (int i = 0; i < 30; i++) {
            clock.advance(Duration.ofMillis(100));
            producer.send(record("quick-" + i));
            mock.completeNext();     // the oldest: "slow" first, then each quick one in turn
            producer.checkNow();
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aLoneUnansweredSendBehindARecentSuccessWaitsForTheSilenceToLast() {
        producer.send(record("a"));
        mock.completeNext();
        clock.advance(Duration.ofMillis(1500));
        producer.send(record("b"));
        clock.advance(Duration.ofMillis(600));
        producer.checkNow();
        assertThat(breaker.state()).as("b waited 600 ms only").isEqualTo(CircuitBreakerState.CLOSED);
        clock.advance(Duration.ofMillis(1400));
        producer.checkNow();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void aSendBlockedForTheInFlightThresholdStallsTheBreakerWhileItIsStillBlocked() throws Exception {
        NonBlockingSendTest.StuckProducer blocking = new NonBlockingSendTest.StuckProducer();
        CircuitBreakerProducer<String, String> guarded = CircuitBreakerProducer.builder(blocking).breaker(breaker)
                .watchdog(false).build();
        Thread sender = new Thread(() -> guarded.send(record("waits for metadata")));
        sender.start();
        try {
            assertThat(blocking.entered.await(10, TimeUnit.SECONDS)).isTrue();
            clock.advance(Duration.ofMillis(1000));
            guarded.checkNow();
            assertThat(breaker.state()).as("blocked 1 s: one failure").isEqualTo(CircuitBreakerState.CLOSED);
            clock.advance(Duration.ofMillis(1000));
            guarded.checkNow();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        } finally {
            blocking.release.countDown();
            sender.join(10_000);
        }
    }

    @Test
    void aProducerSharedByManyTopicsStallsOnlyWhenTheSilenceIsTheClusters() {
        CircuitBreakerProducer<String, String> shared = CircuitBreakerProducer.builder(mock).breaker(breaker)
                .watchdog(false).clusterWideOnly(true).build();
        shared.send(new ProducerRecord<>("quiet", "k", "answered"));
        mock.completeNext();
        shared.send(new ProducerRecord<>("alone", "k", "never answered"));   // one topic's trouble
        clock.advance(Duration.ofSeconds(3));
        shared.checkNow();
        assertThat(breaker.state()).as("two topics in use, one failing").isEqualTo(CircuitBreakerState.CLOSED);
        shared.send(new ProducerRecord<>("other", "k", "never answered either"));
        clock.advance(Duration.ofSeconds(2));
        shared.checkNow();
        assertThat(breaker.state()).as("two topics failing: the cluster").isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void closingTheProducerIsNotAStall() {
        producer.send(record("in flight at close"));
        producer.close(Duration.ZERO);
        clock.advance(Duration.ofSeconds(5));
        producer.checkNow();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void theInterceptorsTrackerOpensTheBreakerOnOneUnansweredRecord() {
        AckTracker tracker = new AckTracker(breaker, clock, Duration.ofSeconds(2), "breakwater.in.flight.threshold.ms");
        tracker.sent();
        tracker.acknowledged();
        tracker.succeeded();
        clock.advance(Duration.ofSeconds(1));
        tracker.sent();
        clock.advance(Duration.ofMillis(1999));
        tracker.run();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        clock.advanceMillis(1);
        tracker.run();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().lastFailure()).startsWith("no record answered for 2000 ms and none succeeded");
    }

    @Test
    void theInterceptorsTrackerDoesNotStallWhileRecordsSucceed() {
        AckTracker tracker = new AckTracker(breaker, clock, Duration.ofSeconds(2), "breakwater.in.flight.threshold.ms");
        tracker.sent();          // never answered: an out-of-order laggard
        for (int i = 0; i < 30; i++) {
            clock.advance(Duration.ofMillis(100));
            tracker.sent();
            tracker.acknowledged();
            tracker.succeeded();
            tracker.run();
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }
}
