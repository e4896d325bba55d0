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
        assertThat(callbackSaw.get(0)).hasToString(metadata.toString());
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
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MockProducer<String, String> blocking = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> r, Callback cb) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.send(r, cb);
            }
        };
        CircuitBreakerProducer<String, String> guarded = CircuitBreakerProducer.builder(blocking).breaker(breaker)
                .watchdog(false).build();
        Thread sender = new Thread(() -> guarded.send(record("waits for metadata")));
        sender.start();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofMillis(1000));
        guarded.checkNow();
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
        assertThat(breaker.snapshot().lastFailure()).startsWith("send() blocked for 1000 ms");
        release.countDown();
        sender.join(10_000);
        // Its late success does not count: the watchdog settled it.
        assertThat(breaker.snapshot().successfulCalls()).isZero();
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
    void inClusterWideModeOneStreamsTroubleDoesNotCountWhileOthersSucceed() {
        CircuitBreakerProducer<String, String> shared = CircuitBreakerProducer.builder(mock).breaker(breaker)
                .clusterWideOnly(true).watchdog(false).build();
        for (int i = 0; i < 5; i++) {
            shared.send(new ProducerRecord<>("leaderless", "k", "stuck"));
        }
        clock.advance(Duration.ofSeconds(1));
        shared.send(new ProducerRecord<>("healthy", "k", "ok"));
        mock.completeNext(); // one send succeeds at t = 1 s
        clock.advance(Duration.ofMillis(1500));
        shared.checkNow();
        assertThat(breaker.snapshot().failedCalls()).as("stale for 2.5 s, but a send succeeded 1.5 s ago").isZero();

        // The same stall counts once nothing has succeeded for the in-flight threshold.
        for (int i = 0; i < 5; i++) {
            shared.send(new ProducerRecord<>("leaderless", "k", "stuck"));
        }
        clock.advance(Duration.ofSeconds(3));
        shared.checkNow();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void aBreakerIsRequired() {
        assertThatThrownBy(() -> CircuitBreakerProducer.builder(mock).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("a breaker is required");
        assertThatThrownBy(() -> CircuitBreakerProducer.builder(mock).inFlightThreshold(Duration.ZERO))
                .hasMessage("inFlightThreshold must be > 0, but was PT0S");
    }
}
