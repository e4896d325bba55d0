package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.breaker.watch.AckTracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Missing rights on a topic, and credentials the cluster refuses, are the caller's configuration errors: they
 * reach the caller at once, exactly as Kafka reported them, and never open a breaker, however long they go on.
 */
class CredentialsAndRightsTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("secured-" + UUID.randomUUID())
            .failureThreshold(3).resetTimeout(Duration.ofSeconds(30)).clock(clock).build());

    /** As KafkaProducer answers an {@code ApiException} of its own send: through the callback and the future. */
    private static Future<RecordMetadata> failed(Callback callback, Exception e) {
        if (callback != null) {
            callback.onCompletion(null, e);
        }
        return CompletableFuture.failedFuture(e);
    }

    /**
     * A producer whose credentials the cluster refuses: its first {@code send()} fails after the first attempt to
     * authenticate (100 ms), each later one waits for the next attempt ({@code reconnect.backoff.max.ms}, 1 s, plus
     * jitter: {@code waitMillis}) while the watchdog ticks every 100 ms, then fails with the refusal. {@code refusing} false: the cluster is dead instead, and
     * the send fails with Kafka's timeout.
     */
    private final class RefusingProducer extends MockProducer<String, String> {
        final AtomicBoolean refusing = new AtomicBoolean(true);
        final long waitMillis;
        int sends;
        CircuitBreakerProducer<String, String> guard;

        RefusingProducer(long waitMillis) {
            super(false, null, new StringSerializer(), new StringSerializer());
            this.waitMillis = waitMillis;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> record, Callback callback) {
            long wait = sends++ == 0 ? 100 : waitMillis;
            for (long waited = 0; waited < wait; waited += 100) {
                clock.advance(Duration.ofMillis(100));
                guard.checkNow();
            }
            return failed(callback, refusing.get()
                    ? new SaslAuthenticationException("Authentication failed during authentication due to invalid "
                            + "credentials with SASL mechanism SCRAM-SHA-512")
                    : new TimeoutException("Topic " + record.topic() + " not present in metadata after " + waitMillis + " ms."));
        }
    }

    private RefusingProducer refusing(long waitMillis) {
        RefusingProducer producer = new RefusingProducer(waitMillis);
        producer.guard = CircuitBreakerProducer.builder(producer).breaker(breaker).watchdog(false)
                .producerConfig(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                        "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                                + "username=\"orders-app\" password=\"wrong\";",
                        "reconnect.backoff.max.ms", String.valueOf(Math.max(1000, waitMillis))))
                .build();
        return producer;
    }

    @Test
    void aTopicWithoutRightsFailsEachSendAtOnceAndNeverOpensTheBreaker() {
        MockProducer<String, String> mock = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> record, Callback callback) {
                // Kafka's metadata says TOPIC_AUTHORIZATION_FAILED: send() fails at once, through the future and callback.
                return failed(callback, new TopicAuthorizationException(java.util.Set.of(record.topic())));
            }
        };
        CircuitBreakerProducer<String, String> guarded = CircuitBreakerProducer.builder(mock).breaker(breaker)
                .watchdog(false).clusterWideOnly(true).build();
        List<Exception> seenByCallback = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofMillis(200));
            Future<RecordMetadata> result = guarded.send(new ProducerRecord<>("payments", "k", "v" + i), (m, e) -> seenByCallback.add(e));
            assertThat(result).isDone();
            assertThatThrownBy(result::get).hasCauseInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining("payments");
            guarded.checkNow();
        }
        assertThat(seenByCallback).hasSize(20).allMatch(e -> e instanceof TopicAuthorizationException);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().failedCalls()).isZero();
    }

    @Test
    void aRightsRefusalAnsweredAfterAWaitIsTheClusterAnsweringNotAStall() {
        // Write refused at produce time: the record waited for its answer (1.5 s), and the answer came.
        MockProducer<String, String> mock = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
        CircuitBreakerProducer<String, String> guarded = CircuitBreakerProducer.builder(mock).breaker(breaker)
                .watchdog(false).build();
        for (int i = 0; i < 10; i++) {
            Future<RecordMetadata> result = guarded.send(new ProducerRecord<>("payments", "k", "v"));
            clock.advance(Duration.ofMillis(1500));
            guarded.checkNow();
            mock.errorNext(new TopicAuthorizationException(java.util.Set.of("payments")));
            assertThatThrownBy(result::get).hasCauseInstanceOf(TopicAuthorizationException.class);
            clock.advance(Duration.ofMillis(100));   // the caller comes back at once
        }
        guarded.checkNow();
        assertThat(breaker.state()).as("15 s without a success, every send answered").isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().failedCalls()).isZero();
    }

    @Test
    void refusedCredentialsReachEachCallerAndNeverOpenTheBreakerThoughEachSendWaitsForTheNextAttempt() throws Exception {
        RefusingProducer producer = refusing(1200);   // past the 1 s block threshold, every time
        for (int i = 0; i < 10; i++) {
            Future<RecordMetadata> result = producer.guard.send(new ProducerRecord<>("orders", "k", "v" + i));
            assertThat(result).isDone();
            assertThatThrownBy(result::get).hasCauseInstanceOf(SaslAuthenticationException.class);
            clock.advance(Duration.ofMillis(20));
        }
        producer.guard.checkNow();
        assertThat(breaker.state()).as("12 s of refusals, back to back").isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().failedCalls()).isZero();
    }

    @Test
    void aCallbackThatRethrowsTheRefusalLeavesItTheClustersAnswerNotACountedFailure() {
        // Kafka answers the refusal within send(), through the callback: a callback's throw comes out of send() too, and
        // is the callback's own, not a second answer of the send.
        RefusingProducer producer = refusing(1200);
        Callback rethrowing = (metadata, e) -> {
            if (e != null) {
                throw new RuntimeException("the caller's callback rethrows", e);
            }
        };
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> producer.guard.send(new ProducerRecord<>("orders", "k", "v"), rethrowing))
                    .hasMessage("the caller's callback rethrows").hasCauseInstanceOf(SaslAuthenticationException.class);
            clock.advance(Duration.ofMillis(20));
        }
        producer.guard.checkNow();
        assertThat(breaker.state()).as("12 s of refusals, back to back").isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().failedCalls()).isZero();
    }

    @Test
    void aLongerBackoffThanTheInFlightThresholdIsStillNoOutage() throws Exception {
        RefusingProducer producer = refusing(5000);   // reconnect.backoff.max.ms set to 5 s
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> producer.guard.send(new ProducerRecord<>("orders", "k", "v")).get())
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().failedCalls()).isZero();
    }

    @Test
    void anOutageAfterRefusedCredentialsStillOpensTheBreaker() {
        RefusingProducer producer = refusing(1200);
        assertThatThrownBy(() -> producer.guard.send(new ProducerRecord<>("orders", "k", "v")).get())
                .hasCauseInstanceOf(SaslAuthenticationException.class);
        producer.refusing.set(false);   // the cluster dies: sends now wait 1.9 s each and time out
        RefusingProducer dead = producer;
        for (int i = 0; i < 4 && breaker.state() == CircuitBreakerState.CLOSED; i++) {
            assertThatThrownBy(() -> dead.guard.send(new ProducerRecord<>("orders", "k", "v")).get())
                    .hasCauseInstanceOf(TimeoutException.class);
        }
        dead.guard.checkNow();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void aClusterThatGoesSilentAfterARefusalOpensTheBreakerWithinSecondsNotAtKafkasTimeout() {
        // One refusal, then the cluster goes away: sends are accepted and never answered (until delivery.timeout.ms).
        MockProducer<String, String> mock = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer()) {
            private boolean refused;

            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> record, Callback callback) {
                if (!refused) {
                    refused = true;
                    return failed(callback, new SaslAuthenticationException("Authentication failed"));
                }
                return super.send(record, callback);
            }
        };
        CircuitBreakerProducer<String, String> guarded = CircuitBreakerProducer.builder(mock).breaker(breaker)
                .watchdog(false).producerConfig(Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";"))
                .build();
        assertThatThrownBy(() -> guarded.send(new ProducerRecord<>("orders", "k", "v")).get())
                .hasCauseInstanceOf(SaslAuthenticationException.class);
        long waited = 0;
        while (breaker.state() == CircuitBreakerState.CLOSED && waited < 30_000) {
            guarded.send(new ProducerRecord<>("orders", "k", "v"));
            clock.advance(Duration.ofMillis(100));
            waited += 100;
            guarded.checkNow();
        }
        // The excuse: reconnect.backoff.max.ms (1 s) + 20 % + the longer threshold (in flight, 2 s); then the stall.
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(waited).isGreaterThan(3_000).isLessThanOrEqualTo(4_000);
    }

    @Test
    void inNonBlockingModeTheRefusalReachesTheCallerThroughItsFuture() throws Exception {
        MockProducer<String, String> mock = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> record, Callback callback) {
                return failed(callback, new SaslAuthenticationException("Authentication failed: Invalid username or password"));
            }
        };
        try (CircuitBreakerProducer<String, String> guarded = CircuitBreakerProducer.builder(mock).breaker(breaker)
                .watchdog(false).nonBlocking(true).build()) {
            for (int i = 0; i < 5; i++) {
                Future<RecordMetadata> result = guarded.send(new ProducerRecord<>("orders", "k", "v"));
                assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(SaslAuthenticationException.class);
            }
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().failedCalls()).isZero();
    }

    @Test
    void theInterceptorsTrackerCountsNothingWhileExcused() {
        AtomicBoolean refusing = new AtomicBoolean(true);
        AckTracker tracker = new AckTracker(breaker, clock, Duration.ofSeconds(2), "breakwater.in.flight.threshold.ms");
        tracker.excuseWhile(refusing::get);
        tracker.sent();
        clock.advance(Duration.ofSeconds(5));
        tracker.run();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().failedCalls()).isZero();
        assertThat(tracker.acknowledged()).as("passed over uncounted: its answer is recorded as it comes").isTrue();
        refusing.set(false);
        tracker.sent();
        clock.advance(Duration.ofSeconds(2));
        tracker.run();
        assertThat(breaker.state()).as("excused no more: a record unanswered 2 s stalls").isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void theInterceptorIgnoresRefusalsAndIsExcusedWhileTheyLast() {
        CircuitBreakerProducerInterceptor<String, String> interceptor = new CircuitBreakerProducerInterceptor<>();
        interceptor.configure(Map.of("bootstrap.servers", "localhost:9092", "breakwater.status.enabled", "false",
                "breakwater.breaker.name", "interceptor-" + UUID.randomUUID(), "breakwater.failure.threshold", "2",
                "security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";"));
        try (interceptor) {
            for (int i = 0; i < 5; i++) {
                interceptor.onSend(new ProducerRecord<>("t", "v"));
                interceptor.onAcknowledgement(null, new SaslAuthenticationException("bad password"));
                interceptor.onSend(new ProducerRecord<>("t", "v"));
                interceptor.onAcknowledgement(null, new TopicAuthorizationException(java.util.Set.of("t")));
            }
            assertThat(interceptor.breaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(interceptor.breaker().snapshot().failedCalls()).isZero();
            for (int i = 0; i < 2; i++) {
                interceptor.onSend(new ProducerRecord<>("t", "v"));
                interceptor.onAcknowledgement(null, new TimeoutException("expired"));
            }
            assertThat(interceptor.breaker().state()).as("timeouts still count").isEqualTo(CircuitBreakerState.OPEN);
        }
    }
}
