package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.breaker.watch.AckTracker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
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

    /** As KafkaProducer answers an {@code ApiException} of its own send: through the callback and the future. */
    private static Future<RecordMetadata> failed(Callback callback, Exception e) {
        if (callback != null) {
            callback.onCompletion(null, e);
        }
        return CompletableFuture.failedFuture(e);
    }

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
    void sendsThatEachBlockUntilMaxBlockMsAndFailAreAStallTooThoughEachIsAnswered() {
        // A killed broker: the producer has lost the topic's metadata, so every send() waits max.block.ms
        // (1900 ms here, under the 2 s in-flight threshold) and throws. Each call is answered; none succeeds.
        MockProducer<String, String> noMetadata = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> record, Callback callback) {
                clock.advance(Duration.ofMillis(1900));
                return failed(callback, new TimeoutException("Topic orders not present in metadata after 1900 ms."));
            }
        };
        CircuitBreakerProducer<String, String> guarded = CircuitBreakerProducer.builder(noMetadata).breaker(breaker)
                .watchdog(false).build();
        assertThatThrownBy(() -> guarded.send(record("first")).get()).hasRootCauseInstanceOf(TimeoutException.class);
        guarded.checkNow();
        assertThat(breaker.state()).as("1.9 s of failing: under the threshold").isEqualTo(CircuitBreakerState.CLOSED);
        clock.advance(Duration.ofMillis(20));   // the caller comes back at once
        assertThatThrownBy(() -> guarded.send(record("second")).get()).hasRootCauseInstanceOf(TimeoutException.class);
        guarded.checkNow();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().failedCalls()).as("two failures, far under the failure threshold of 5").isEqualTo(2);
        assertThat(breaker.snapshot().lastFailure()).startsWith("no send succeeded for 3820 ms, each failed or unanswered");
    }

    @Test
    void failingSendsWithPausesLongerThanTheGapAreNoStall() {
        MockProducer<String, String> noMetadata = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> record, Callback callback) {
                clock.advance(Duration.ofMillis(1500));
                return failed(callback, new TimeoutException("Topic orders not present in metadata after 1500 ms."));
            }
        };
        CircuitBreakerProducer<String, String> guarded = CircuitBreakerProducer.builder(noMetadata).breaker(breaker)
                .watchdog(false).build();
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> guarded.send(record("sparse")).get()).hasRootCauseInstanceOf(TimeoutException.class);
            guarded.checkNow();
            clock.advance(Duration.ofSeconds(1));   // a caller that publishes now and then
        }
        assertThat(breaker.state()).as("four failures, each alone: the failure threshold decides").isEqualTo(CircuitBreakerState.CLOSED);
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

    /** Twenty records sent at once; {@code answered} of them then answered in order, one every 200 ms. */
    private void backlog(int answered) {
        for (int i = 0; i < 20; i++) {
            producer.send(record("r" + i));
        }
        for (int i = 0; i < answered; i++) {
            for (int tick = 0; tick < 2; tick++) {
                clock.advance(Duration.ofMillis(100));
                producer.checkNow();
            }
            mock.completeNext();
        }
    }

    @Test
    void aBacklogTheClusterWorksThroughIsNoFailureThoughEveryRecordWaitsLongerThanTheThreshold() {
        backlog(20);   // the last record waited 4 s, the cluster answering all along
        producer.checkNow();
        assertThat(breaker.snapshot().failedCalls()).isZero();
        assertThat(breaker.snapshot().successfulCalls()).isEqualTo(20);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aBacklogThatStopsOpensTheBreakerTheThresholdAfterItsLastMove() {
        backlog(6);   // answered up to 1.2 s; then nothing
        for (int tick = 0; tick < 20; tick++) {   // to 3.2 s: 2 s after the last answer
            assertThat(breaker.state()).as("%d ms after the last answer", tick * 100).isEqualTo(CircuitBreakerState.CLOSED);
            clock.advance(Duration.ofMillis(100));
            producer.checkNow();
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().lastFailure()).contains("no acknowledgement for 3200 ms");
    }
}
