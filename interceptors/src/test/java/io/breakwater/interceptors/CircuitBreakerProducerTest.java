package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class CircuitBreakerProducerTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("producer")
            .failureThreshold(5).resetTimeout(Duration.ofSeconds(30)).clock(clock).build());
    private final MockProducer<String, String> mock =
            new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
    private final CircuitBreakerProducer<String, String> producer =
            CircuitBreakerProducer.builder(mock).breaker(breaker).watchdog(false).build();

    private static ProducerRecord<String, String> record(String value) {
        return new ProducerRecord<>("orders", "k", value);
    }

    @Test
    void aRecordItsGateVetoesIsAnsweredWithMetadataNamingItsTopicAsARefusalIs() throws Exception {
        IllegalStateException veto = new IllegalStateException("the stream opened");
        List<RecordMetadata> metadata = new ArrayList<>();
        List<Exception> seen = new ArrayList<>();
        Future<RecordMetadata> future = producer.send(new ProducerRecord<>("orders", 3, "k", "x"), (m, e) -> {
            metadata.add(m);
            seen.add(e);
        }, () -> veto);
        assertThatThrownBy(future::get).hasCause(veto);
        assertThat(seen).containsExactly(veto);
        assertThat(metadata).singleElement().satisfies(m -> {
            assertThat(m.topic()).isEqualTo("orders");
            assertThat(m.partition()).isEqualTo(3);
            assertThat(m.hasOffset()).isFalse();
        });
        assertThat(mock.history()).isEmpty();
    }

    @Test
    void anOpenBreakerFailsTheSendAtOnceWithoutTouchingTheDelegate() {
        breaker.forceOpen();
        List<Exception> seen = new ArrayList<>();
        List<RecordMetadata> metadata = new ArrayList<>();
        Future<RecordMetadata> future = producer.send(record("x"), (m, e) -> {
            metadata.add(m);
            seen.add(e);
        });
        assertThat(future.isDone()).isTrue();
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(CircuitBreakerOpenException.class)
                .hasMessageContaining("Circuit breaker 'producer' is FORCED_OPEN");
        assertThat(seen).singleElement().isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(metadata.get(0).topic()).isEqualTo("orders");
        assertThat(metadata.get(0).hasOffset()).isFalse();
        assertThat(mock.history()).isEmpty();
        assertThat(breaker.snapshot().rejectedCalls()).isEqualTo(1);
    }

    @Test
    void failuresReportedThroughTheFutureOpenTheBreaker() {
        for (int i = 0; i < 5; i++) {
            producer.send(record("v" + i));
            mock.errorNext(new NotEnoughReplicasException("ISR too small"));
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().lastFailure()).contains("NotEnoughReplicasException: ISR too small");
    }

    @Test
    void exceptionsThrownBySendAreRecordedAndRethrown() {
        mock.sendException = new TimeoutException("Topic orders not present in metadata after 60000 ms.");
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> producer.send(record("x"))).isSameAs(mock.sendException);
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void callerErrorsReachTheCallerButDoNotCount() {
        Serializer<String> broken = (topic, value) -> {
            throw new SerializationException("cannot serialize " + value);
        };
        MockProducer<String, String> serializing = new MockProducer<>(false, null, new StringSerializer(), broken);
        CircuitBreakerProducer<String, String> guarded =
                CircuitBreakerProducer.builder(serializing).breaker(breaker).watchdog(false).build();
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> guarded.send(record("bad"))).isInstanceOf(SerializationException.class);
            producer.send(record("big"));
            mock.errorNext(new RecordTooLargeException("too large"));
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().ignoredCalls()).isEqualTo(20);
        assertThat(breaker.snapshot().failedCalls()).isZero();
    }

    @Test
    void theCallerSeesExactlyWhatTheDelegateProduced() throws Exception {
        List<Object> callbackSaw = new ArrayList<>();
        Callback callback = (m, e) -> callbackSaw.add(e != null ? e : m);

        Future<RecordMetadata> acked = producer.send(record("ok"), callback);
        mock.completeNext();
        RecordMetadata metadata = acked.get();
        assertThat(callbackSaw.get(0)).isInstanceOfSatisfying(RecordMetadata.class, seen -> {
            assertThat(seen.topic()).isEqualTo(metadata.topic());
            assertThat(seen.partition()).isEqualTo(metadata.partition());
            assertThat(seen.offset()).isEqualTo(metadata.offset());
            assertThat(seen.timestamp()).isEqualTo(metadata.timestamp());
        });
        assertThat(metadata.offset()).isZero();

        TimeoutException failure = new TimeoutException("expired");
        Future<RecordMetadata> failed = producer.send(record("bad"), callback);
        mock.errorNext(failure);
        assertThatThrownBy(failed::get).hasCauseReference(failure);
        assertThat(callbackSaw.get(1)).isSameAs(failure);
        assertThat(breaker.snapshot().successfulCalls()).isEqualTo(1);
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
    }

    @Test
    void aRecordLeftUnansweredPastTheInFlightThresholdCountsOnceAsAFailure() {
        for (int i = 0; i < 5; i++) {
            producer.send(record("stuck-" + i));
        }
        clock.advance(Duration.ofMillis(1999));
        producer.checkNow();
        assertThat(breaker.snapshot().failedCalls()).isZero();
        clock.advanceMillis(1);
        producer.checkNow();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.snapshot().lastFailure()).startsWith("no acknowledgement for 2000 ms");
        // The late acknowledgements are not counted a second time.
        for (int i = 0; i < 5; i++) {
            mock.completeNext();
        }
        producer.checkNow();
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(5);
        assertThat(breaker.snapshot().successfulCalls()).isZero();
    }

    @Test
    void answeredRecordsAreNeverCountedAsStale() {
        producer.send(record("a"));
        mock.completeNext();
        producer.send(record("b"));
        clock.advance(Duration.ofSeconds(10));
        producer.checkNow();
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
        assertThat(breaker.snapshot().successfulCalls()).isEqualTo(1);
    }

    @Test
    void aSendBlockedPastTheBlockThresholdCountsWhileItIsStillBlocked() throws Exception {
        NonBlockingSendTest.StuckProducer blocking = new NonBlockingSendTest.StuckProducer();
        CircuitBreakerProducer<String, String> guarded = CircuitBreakerProducer.builder(blocking).breaker(breaker)
                .watchdog(false).build();
        Thread sender = new Thread(() -> guarded.send(record("waits for metadata")));
        sender.start();
        assertThat(blocking.entered.await(10, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofMillis(1000));
        guarded.checkNow();
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
        assertThat(breaker.snapshot().lastFailure()).startsWith("send() blocked for 1000 ms");
        blocking.release.countDown();
        sender.join(10_000);
        assertThat(sender.isAlive()).as("the blocked send returned").isFalse();
        assertThat(blocking.history()).as("its record went out, and was answered (auto-complete), late").hasSize(1);
        // Its late success does not count: the watchdog settled it.
        assertThat(breaker.snapshot().successfulCalls()).isZero();
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
    }

    @Test
    void aThousandRejectedSendsAreFast() {
        breaker.forceOpen();
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            assertThat(producer.send(record("x")).isDone()).isTrue();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aWrapperOverAnObservedBreakerOnlyEnforces() {
        io.breakwater.interceptors.internal.ObservedBreakers.observe(breaker);
        try {
            CircuitBreakerProducer<String, String> enforcing =
                    CircuitBreakerProducer.builder(mock).breaker(breaker).watchdog(false).build();
            enforcing.send(record("x"));
            mock.errorNext(new TimeoutException("down"));
            assertThat(breaker.snapshot().failedCalls()).as("the interceptor records, not the wrapper").isZero();
            breaker.forceOpen();
            assertThat(enforcing.send(record("y")).isDone()).isTrue();
            assertThat(mock.history()).hasSize(1);
        } finally {
            io.breakwater.interceptors.internal.ObservedBreakers.release(breaker);
        }
    }

    @Test
    void inClusterWideModeOneStreamsTroubleDoesNotCountUntilAnotherStreamFailsToo() {
        CircuitBreakerProducer<String, String> shared = CircuitBreakerProducer.builder(mock).breaker(breaker)
                .clusterWideOnly(true).watchdog(false).build();
        shared.send(new ProducerRecord<>("healthy", "k", "ok"));
        mock.completeNext();
        for (int i = 0; i < 5; i++) {
            shared.send(new ProducerRecord<>("leaderless", "k", "stuck"));
        }
        clock.advance(Duration.ofMillis(2500));
        shared.checkNow();
        assertThat(breaker.snapshot().failedCalls())
                .as("nothing succeeded for 2.5 s, but only one topic fails: one stream's trouble").isZero();

        for (int i = 0; i < 5; i++) {
            shared.send(new ProducerRecord<>("healthy", "k", "stuck now"));
            shared.send(new ProducerRecord<>("leaderless", "k", "stuck"));
        }
        clock.advance(Duration.ofSeconds(3));
        shared.checkNow();
        assertThat(breaker.state()).as("two topics unanswered: the cluster answers nobody").isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void inClusterWideModeAFailureSoonAfterASuccessElsewhereDoesNotCount() {
        CircuitBreakerProducer<String, String> shared = CircuitBreakerProducer.builder(mock).breaker(breaker)
                .clusterWideOnly(true).watchdog(false).build();
        for (int i = 0; i < 5; i++) {
            shared.send(new ProducerRecord<>("a", "k", "v"));
            shared.send(new ProducerRecord<>("b", "k", "v"));
            mock.completeNext();
            mock.errorNext(new TimeoutException("b times out"));
        }
        assertThat(breaker.snapshot().failedCalls()).isZero();
    }

    @Test
    void inClusterWideModeTrialsGoToMoreThanOneTopic() {
        CircuitBreaker shared = CircuitBreaker.of(CircuitBreakerConfig.builder("trials").failureThreshold(1)
                .resetTimeout(Duration.ofSeconds(10)).clock(clock).build());
        CircuitBreakerProducer<String, String> wrapped = CircuitBreakerProducer.builder(mock).breaker(shared)
                .clusterWideOnly(true).watchdog(false).build();
        clock.advance(Duration.ofSeconds(3));
        wrapped.send(new ProducerRecord<>("audit", "k", "v"));
        mock.errorNext(new TimeoutException("down"));
        assertThat(shared.state()).isEqualTo(CircuitBreakerState.OPEN);
        wrapped.send(new ProducerRecord<>("orders", "k", "rejected, but orders is in use"));
        clock.advance(Duration.ofSeconds(10));

        assertThat(wrapped.send(new ProducerRecord<>("audit", "k", "trial 1")).isDone()).isFalse();
        assertThat(wrapped.send(new ProducerRecord<>("audit", "k", "no second trial for audit")).isDone()).isTrue();
        assertThat(wrapped.send(new ProducerRecord<>("orders", "k", "a trial for orders")).isDone()).isFalse();
        mock.errorNext(new TimeoutException("audit has no leader"));
        assertThat(shared.state()).as("audit alone failing its trial is audit's trouble").isEqualTo(CircuitBreakerState.HALF_OPEN);
        mock.completeNext();
        assertThat(shared.snapshot().successfulCalls()).isEqualTo(1);
    }

    @Test
    void aBreakerIsRequired() {
        assertThatThrownBy(() -> CircuitBreakerProducer.builder(mock).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("a breaker is required");
        assertThatThrownBy(() -> CircuitBreakerProducer.builder(mock).inFlightThreshold(Duration.ZERO))
                .hasMessage("inFlightThreshold must be > 0, but was PT0S");
    }

    @Test
    void recordsFailedByAForcedCloseDoNotOpenTheBreaker() {
        for (int i = 0; i < 10; i++) {
            producer.send(record("lingering " + i));
        }
        producer.close(Duration.ZERO);
        for (int i = 0; i < 10; i++) {
            mock.errorNext(new org.apache.kafka.common.KafkaException("Producer is closed forcefully."));
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().failedCalls()).isZero();
        assertThat(breaker.snapshot().ignoredCalls()).isEqualTo(10);
    }

    @Test
    void aLateAcknowledgementFromBeforeTheOpenDoesNotDecideTheTrial() {
        CircuitBreaker strict = CircuitBreaker.of(CircuitBreakerConfig.builder("late").failureThreshold(1)
                .halfOpenMaxCalls(1).successThreshold(1).resetTimeout(Duration.ofSeconds(10)).clock(clock).build());
        CircuitBreakerProducer<String, String> wrapped = CircuitBreakerProducer.builder(mock).breaker(strict).watchdog(false).build();
        wrapped.send(record("a: sent while CLOSED, answered late"));
        wrapped.send(record("b"));
        mock.errorNext(new TimeoutException("a times out first"));   // trips: the oldest (a) fails
        clock.advance(Duration.ofSeconds(10));
        wrapped.send(record("c: the trial"));
        mock.completeNext();                                          // b's success, from before the open
        assertThat(strict.state()).as("b was sent under CLOSED: it cannot close the breaker").isEqualTo(CircuitBreakerState.HALF_OPEN);
        mock.completeNext();                                          // c, the trial
        assertThat(strict.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void theCallersCallbackRunsEvenWhenTheClassifierThrows() {
        CircuitBreakerProducer<String, String> wrapped = CircuitBreakerProducer.builder(mock).breaker(breaker).watchdog(false)
                .classifier(failure -> {
                    throw new IllegalStateException("a classifier's own bug");
                }).build();
        List<Exception> seen = new ArrayList<>();
        wrapped.send(record("x"), (m, e) -> seen.add(e));
        mock.errorNext(new TimeoutException("down"));
        assertThat(seen).singleElement().isInstanceOf(TimeoutException.class);
        assertThat(breaker.snapshot().failedCalls()).as("counted").isEqualTo(1);
    }

    @Test
    void theCallersCallbackRunsEvenWhenAPredicateThrowsAVirtualMachineError() {
        CircuitBreaker fragile = CircuitBreaker.of(CircuitBreakerConfig.builder("fragile").clock(clock)
                .ignoreFailure(t -> {
                    throw new OutOfMemoryError("pretend");
                }).build());
        CircuitBreakerProducer<String, String> wrapped = CircuitBreakerProducer.builder(mock).breaker(fragile).watchdog(false).build();
        List<Exception> seen = new ArrayList<>();
        wrapped.send(record("x"), (m, e) -> seen.add(e));
        assertThatThrownBy(() -> mock.errorNext(new TimeoutException("down"))).isInstanceOf(OutOfMemoryError.class);
        assertThat(seen).singleElement().isInstanceOf(TimeoutException.class);
    }

    @Test
    void aNullRecordIsRefusedBeforeAPermitIsTaken() {
        assertThatThrownBy(() -> producer.send(null)).isInstanceOf(NullPointerException.class).hasMessage("record");
        assertThat(breaker.snapshot().successfulCalls() + breaker.snapshot().failedCalls()).isZero();
    }

    @Test
    void wrapClosesTheProducerItWasHandedWhenTheConfigIsBad() {
        MockProducer<String, String> handed = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
        assertThatThrownBy(() -> CircuitBreakerProducer.wrap(handed, java.util.Map.of("breakwater.failure.threshold", "abc",
                "breakwater.status.enabled", "false")))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("breakwater.failure.threshold");
        assertThat(handed.closed()).isTrue();
    }

    @Test
    void twoProducersSharingABreakerNameMustAgreeOnItsSettings() {
        String name = "shared-" + System.nanoTime();
        MockProducer<String, String> first = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
        MockProducer<String, String> second = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
        CircuitBreakerProducer<String, String> one = CircuitBreakerProducer.wrap(first, java.util.Map.of(
                "breakwater.breaker.name", name, "breakwater.failure.threshold", "5", "breakwater.status.enabled", "false"));
        try {
            assertThatThrownBy(() -> CircuitBreakerProducer.wrap(second, java.util.Map.of(
                    "breakwater.breaker.name", name, "breakwater.failure.threshold", "3", "breakwater.status.enabled", "false")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + name + "' already exists with another config")
                    .hasMessageContaining("failureThreshold: 5 vs 3");
            assertThat(second.closed()).isTrue();
            CircuitBreakerProducer<String, String> same = CircuitBreakerProducer.wrap(
                    new MockProducer<>(false, null, new StringSerializer(), new StringSerializer()), java.util.Map.of(
                    "breakwater.breaker.name", name, "breakwater.failure.threshold", "5", "breakwater.status.enabled", "false"));
            assertThat(same.breaker()).isSameAs(one.breaker());
            same.close();
        } finally {
            one.close();
        }
    }

    @Test
    void closeWithZeroReturnsAtOnceEvenWhenStatusEventsCannotBePublished() {
        MockProducer<String, String> handed = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
        CircuitBreakerProducer<String, String> wrapped = CircuitBreakerProducer.wrap(handed, java.util.Map.of(
                "bootstrap.servers", "127.0.0.1:1", "breakwater.breaker.name", "close-" + System.nanoTime(),
                "breakwater.instance.id", "close-test", "breakwater.state.restore", "false"));
        wrapped.breaker().forceOpen();   // a status event that can never be published
        long start = System.nanoTime();
        wrapped.close(Duration.ZERO);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("it took 12 s before; a margin of 10x")
                .isLessThan(Duration.ofMillis(1200));
    }

    @Test
    void anEnforcingWrapperDoesNotLimitTrialsPerTopicSoNoTopicIsLockedOut() {
        CircuitBreaker observed = CircuitBreaker.of(CircuitBreakerConfig.builder("observed").failureThreshold(1)
                .resetTimeout(Duration.ofSeconds(10)).clock(clock).build());
        io.breakwater.interceptors.internal.ObservedBreakers.observe(observed);
        try {
            CircuitBreakerProducer<String, String> enforcing = CircuitBreakerProducer.builder(mock).breaker(observed)
                    .clusterWideOnly(true).watchdog(false).build();
            for (int round = 0; round < 3; round++) {
                observed.recordFailure("down");            // the interceptor's verdict
                clock.advance(Duration.ofSeconds(10));
                assertThat(enforcing.send(new ProducerRecord<>("orders", "k", "v")).isDone()).isFalse();
                assertThat(enforcing.send(new ProducerRecord<>("audit", "k", "v")).isDone())
                        .as("round %d: audit gets its trial", round).isFalse();
            }
        } finally {
            io.breakwater.interceptors.internal.ObservedBreakers.release(observed);
        }
    }

    @Test
    void wrapOnlyEnforcesWhenItsOwnPropertiesInstallTheInterceptor() {
        String name = "enforce-" + System.nanoTime();
        java.util.Map<String, Object> plain = new java.util.HashMap<>(java.util.Map.of("breakwater.breaker.name", name,
                "breakwater.status.enabled", "false"));
        MockProducer<String, String> first = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
        try (CircuitBreakerProducer<String, String> recording = CircuitBreakerProducer.wrap(first, plain)) {
            recording.send(record("x"));
            first.errorNext(new TimeoutException("down"));
            assertThat(recording.breaker().snapshot().failedCalls()).as("no interceptor here: the wrapper records").isEqualTo(1);
        }
        java.util.Map<String, Object> intercepted = new java.util.HashMap<>(plain);
        intercepted.put("interceptor.classes", "org.example.Other, " + CircuitBreakerProducerInterceptor.class.getName());
        MockProducer<String, String> second = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
        try (CircuitBreakerProducer<String, String> enforcing = CircuitBreakerProducer.wrap(second, intercepted)) {
            enforcing.send(record("y"));
            second.errorNext(new TimeoutException("down"));
            assertThat(enforcing.breaker().snapshot().failedCalls()).as("the interceptor records, not the wrapper").isEqualTo(1);
        }
    }

    @Test
    void aClosedControlFollowerFailsTheBuildAndLeavesNothingAttached() {
        Map<String, Object> away = Map.of("bootstrap.servers", "127.0.0.1:1");
        io.breakwater.status.StatusPublisher publisher = io.breakwater.status.StatusPublisher.create(away,
                "breakwater-status", "leak-" + System.nanoTime());
        try {
            io.breakwater.status.ControlFollower follower = io.breakwater.status.ControlFollower.create(away,
                    "breakwater-control", "leak");
            follower.close();
            assertThatThrownBy(() -> CircuitBreakerProducer.builder(mock).breaker(breaker).watchdog(false)
                    .statusPublisher(publisher).controlFollower(follower).build())
                    .isInstanceOf(IllegalStateException.class).hasMessage("the control follower for breakwater-control is closed");
            int pending = publisher.pending();
            breaker.forceOpen();
            assertThat(publisher.pending()).as("the publisher no longer follows the breaker").isEqualTo(pending);
        } finally {
            publisher.close(Duration.ZERO);
        }
    }
}
