package io.breakwater.eventbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventBusTest {

    record Order(String id, int quantity) {
    }

    private final ManualClock clock = new ManualClock();
    private final MockProducer<String, byte[]> mock = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    // Blocking sends, so that each publish has reached the mock when the test completes it.
    private final RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false)
            .breakerConfig(CircuitBreakerConfig.builder("redpanda_transport").clock(clock).build()).build();
    private final CircuitBreakerConfig channelConfig = CircuitBreakerConfig.builder("template").failureThreshold(3).clock(clock).build();

    private EventBus bus;

    private EventBus bus(EventBusBuilder builder) {
        bus = builder.defaultChannelConfig(channelConfig).clock(clock).build();
        return bus;
    }

    @AfterEach
    void close() {
        if (bus != null) {
            bus.close();
        }
    }

    @Test
    void anEventSentWithAcksZeroIsAcknowledgedThoughKafkaGivesItNoOffset() {
        assertThat(new PublishResult("orders", 2, -1, 1_700_000_000_000L).acknowledged()).as("acks=0").isTrue();
        assertThat(new PublishResult("orders", 2, 41, 1_700_000_000_000L).acknowledged()).isTrue();
        assertThat(PublishResult.spilled("orders", "id-1").acknowledged()).isFalse();
        assertThat(PublishResult.viaFallback("local disk").acknowledged()).isFalse();
    }

    @Test
    void oneUnansweredPublishOpensBothBreakersOnceNothingSucceededForTheInFlightThreshold() {
        EventBus bus = bus(EventBus.builder(transport));
        bus.publishStream("orders", new Order("o-1", 1));   // the only caller, and the cluster never answers
        clock.advance(Duration.ofMillis(1999));
        assertThat(bus.channelBreaker("orders").state()).isEqualTo(CircuitBreakerState.CLOSED);
        clock.advanceMillis(1);
        // The watchdog thread ticks every 100 ms on this clock.
        await().atMost(Duration.ofSeconds(5)).until(() -> bus.channelBreaker("orders").state() == CircuitBreakerState.OPEN
                && bus.transportBreaker().state() == CircuitBreakerState.OPEN);
        assertThat(bus.channelBreaker("orders").snapshot().lastFailure()).startsWith("no publish answered for 2000 ms");
    }

    @Test
    void publishesThatEachBlockUntilMaxBlockMsAndFailOpenBothBreakersThoughEachIsAnswered() {
        // A killed broker whose topic has left the producer's metadata: each send waits max.block.ms (1900 ms here,
        // under the 2 s in-flight threshold) and fails. No publish stays unanswered; none succeeds either.
        MockProducer<String, byte[]> noMetadata = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
                clock.advance(Duration.ofMillis(1900));
                Exception e = new org.apache.kafka.common.errors.TimeoutException("Topic orders not present in metadata after 1900 ms.");
                callback.onCompletion(null, e);
                return CompletableFuture.failedFuture(e);
            }
        };
        RedpandaTransport waiting = RedpandaTransport.builder(noMetadata).nonBlocking(false)
                .breakerConfig(CircuitBreakerConfig.builder("waiting_transport").clock(clock).build()).build();
        EventBus bus = bus(EventBus.builder(waiting));
        assertThatThrownBy(() -> bus.publishStream("orders", new Order("o-1", 1)).join())
                .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        clock.advanceMillis(20);    // one caller, back at once
        assertThatThrownBy(() -> bus.publishStream("orders", new Order("o-2", 1)).join())
                .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        // The watchdog thread ticks every 100 ms on this clock.
        await().atMost(Duration.ofSeconds(5)).until(() -> bus.channelBreaker("orders").state() == CircuitBreakerState.OPEN
                && waiting.breaker().state() == CircuitBreakerState.OPEN);
        assertThat(bus.channelBreaker("orders").snapshot().failedCalls()).as("under the failure threshold of 3").isLessThan(3);
        assertThat(bus.channelBreaker("orders").snapshot().lastFailure()).startsWith("no publish succeeded for");
        assertThat(waiting.breaker().snapshot().lastFailure()).startsWith("no send succeeded for");
    }

    @Test
    void publishesJsonWithTheContentTypeAndReturnsWhereItWent() {
        EventBus bus = bus(EventBus.builder(transport));
        CompletableFuture<PublishResult> result = bus.publishStream("orders", "o-1", new Order("o-1", 5), Map.of("trace", "t1"));
        mock.completeNext();
        PublishResult published = result.join();
        assertThat(published.topic()).isEqualTo("orders");
        assertThat(published.partition()).isZero();
        assertThat(published.offset()).isZero();
        assertThat(published.acknowledged()).isTrue();
        var record = mock.history().get(0);
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"o-1\",\"quantity\":5}");
        assertThat(new String(record.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8)).isEqualTo("application/json");
        assertThat(new String(record.headers().lastHeader("trace").value(), StandardCharsets.UTF_8)).isEqualTo("t1");
        assertThat(record.key()).isEqualTo("o-1");
    }

    @Test
    void anAcknowledgedEventsResultCarriesTheIdOfItsRecordAndEveryEventHasItsOwn() {
        // Non-blocking, as by default: an event without headers gets its id as its record is made, on the sender thread.
        MockProducer<String, byte[]> acking = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        EventBus bus = bus(EventBus.builder(RedpandaTransport.builder(acking)
                .breakerConfig(CircuitBreakerConfig.builder("redpanda_transport").clock(clock).build()).build()));
        List<PublishResult> results = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            results.add(bus.publishStream("orders", "o-" + i, new Order("o-" + i, i), i % 2 == 0 ? Map.of() : Map.of("trace", "t" + i)).join());
        }
        List<String> headerIds = acking.history().stream()
                .map(r -> new String(r.headers().lastHeader(EventBus.EVENT_ID_HEADER).value(), StandardCharsets.UTF_8)).toList();
        assertThat(results).extracting(PublishResult::eventId).containsExactlyElementsOf(headerIds).doesNotHaveDuplicates()
                .allMatch(id -> id.matches("[0-9a-f]{16}-[0-9a-z]+"));
    }

    @Test
    void eachStreamGetsItsOwnBreakerOnFirstUseAndTheSameOneAfter() {
        CircuitBreakerConfig strict = CircuitBreakerConfig.builder("x").failureThreshold(1).clock(clock).build();
        EventBus bus = bus(EventBus.builder(transport).channelConfig("payments", strict));
        CircuitBreaker orders = bus.channelBreaker("orders");
        assertThat(orders.name()).isEqualTo("eventbus-orders");
        assertThat(bus.channelBreaker("orders")).isSameAs(orders);
        assertThat(bus.registry().get("eventbus-orders")).containsSame(orders);
        assertThat(orders.config().failureThreshold()).isEqualTo(3);
        assertThat(bus.channelBreaker("payments").config().failureThreshold()).isEqualTo(1);
    }

    @Test
    void anOpenChannelFailsAtOnceNamingItsBreakerAndNothingIsSent() {
        EventBus bus = bus(EventBus.builder(transport));
        bus.channelBreaker("orders").forceOpen();
        CompletableFuture<PublishResult> result = bus.publishStream("orders", new Order("o-1", 1));
        assertThat(result).isCompletedExceptionally();
        assertThatThrownBy(result::join).hasCauseInstanceOf(CircuitBreakerOpenException.class)
                .hasMessageContaining("'eventbus-orders'");
        assertThat(mock.history()).isEmpty();
    }

    @Test
    void anEventAnOpenStreamRefusesIsNeverEncodedButItsRefusalIsCountedAndItsFallbackGetsIt() {
        java.util.concurrent.atomic.AtomicInteger encoded = new java.util.concurrent.atomic.AtomicInteger();
        RedpandaTransport counting = counting(RedpandaTransport.builder(mock).nonBlocking(false), encoded);
        List<Object> fellBack = new java.util.concurrent.CopyOnWriteArrayList<>();
        EventBus bus = bus(EventBus.builder(counting).fallback("orders", (stream, key, event, cause) -> {
            fellBack.add(event);
            return CompletableFuture.failedFuture(cause);
        }));
        bus.channelBreaker("orders").forceOpen();
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(bus.publishStream("orders", "o-" + i)::join).hasCauseInstanceOf(CircuitBreakerOpenException.class);
        }
        assertThat(encoded).as("nothing encoded for events that could not go").hasValue(0);
        assertThat(bus.channelBreaker("orders").snapshot().rejectedCalls()).isEqualTo(3);
        assertThat(fellBack).containsExactly("o-0", "o-1", "o-2");
        bus.channelBreaker("orders").reset();
        bus.publishStream("orders", "o-3");
        assertThat(encoded).hasValue(1);
    }

    @Test
    void anOpenTransportFailsAtOnceNamingTheTransportAndDoesNotCountAgainstTheStream() {
        EventBus bus = bus(EventBus.builder(transport));
        transport.breaker().forceOpen();
        for (int i = 0; i < 5; i++) {
            CompletableFuture<PublishResult> result = bus.publishStream("orders", new Order("o-" + i, 1));
            assertThatThrownBy(result::join).hasCauseInstanceOf(CircuitBreakerOpenException.class)
                    .hasMessageContaining("'redpanda_transport'");
        }
        assertThat(bus.channelBreaker("orders").state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(bus.channelBreaker("orders").snapshot().failedCalls()).isZero();
    }

    @Test
    void anEventAnOpenTransportRefusesIsNeitherEncodedNorQueuedAndTheStreamsTrialPermitIsGivenBack() {
        java.util.concurrent.atomic.AtomicInteger encoded = new java.util.concurrent.atomic.AtomicInteger();
        // Non-blocking, as by default: the refusal comes before the send queue, on the caller's thread.
        RedpandaTransport counting = counting(RedpandaTransport.builder(mock), encoded);
        List<Object> fellBack = new CopyOnWriteArrayList<>();
        EventBus bus = bus(EventBus.builder(counting).fallback("orders", (stream, key, event, cause) -> {
            fellBack.add(event);
            return CompletableFuture.failedFuture(cause);
        }));
        CircuitBreaker orders = bus.channelBreaker("orders");
        for (int i = 0; i < 3; i++) {
            orders.recordFailure(new org.apache.kafka.common.errors.TimeoutException("expired"));
        }
        clock.advance(channelConfig.resetTimeout());   // the next permit is one of its 3 trials
        counting.breaker().forceOpen();
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(bus.publishStream("orders", "o-" + i)::join).hasCauseInstanceOf(CircuitBreakerOpenException.class)
                    .hasMessageContaining("'redpanda_transport'");
        }
        assertThat(encoded).as("nothing encoded for events that could not go").hasValue(0);
        assertThat(mock.history()).isEmpty();
        assertThat(fellBack).containsExactly("o-0", "o-1", "o-2", "o-3", "o-4");
        assertThat(counting.breaker().snapshot().rejectedCalls()).isEqualTo(5);
        assertThat(orders.snapshot().ignoredCalls()).isEqualTo(5);
        assertThat(orders.snapshot().rejectedCalls()).as("each refused event had the stream's trial permit").isZero();
        assertThat(orders.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        counting.breaker().reset();
        bus.publishStream("orders", "o-5");
        assertThat(encoded).hasValue(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> mock.history().size() == 1);
    }

    /** {@code builder}'s transport with a codec that counts what it encodes (the event's text) in {@code encoded}. */
    private RedpandaTransport counting(RedpandaTransport.Builder builder, java.util.concurrent.atomic.AtomicInteger encoded) {
        return builder.codec(new io.breakwater.transport.redpanda.EventCodec() {
            @Override
            public byte[] encode(Object event) {
                encoded.incrementAndGet();
                return event.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }

            @Override
            public String contentType() {
                return "text/plain";
            }
        }).breakerConfig(CircuitBreakerConfig.builder("redpanda_transport").clock(clock).build()).build();
    }

    @Test
    void oneBadStreamOpensOnlyItsOwnBreakerWhileTheOtherSucceeds() {
        EventBus bus = bus(EventBus.builder(transport));
        for (int i = 0; i < 3; i++) {
            bus.publishStream("trades", new Order("t", 1));
            mock.completeNext();
            bus.publishStream("leaderless", new Order("s", 1));
            mock.errorNext(new NotLeaderOrFollowerException("no leader for leaderless-0"));
        }
        assertThat(bus.channelBreaker("leaderless").state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(bus.channelBreaker("trades").state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(transport.breaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(transport.breaker().snapshot().failedCalls()).isZero();
    }

    @Test
    void aStreamWithoutRightsKeepsEveryBreakerClosedAndEachCallerGetsTheRefusalAtOnce() {
        EventBus bus = bus(EventBus.builder(transport));
        for (int i = 0; i < 10; i++) {
            bus.publishStream("trades", new Order("t", 1));
            mock.completeNext();
            CompletableFuture<PublishResult> refused = bus.publishStream("secret-stream", new Order("s", 1));
            TopicAuthorizationException error = new TopicAuthorizationException(java.util.Set.of("secret-stream"));
            mock.errorNext(error);
            assertThat(refused).isCompletedExceptionally();
            assertThatThrownBy(refused::join).hasCauseReference(error);
        }
        assertThat(bus.channelBreaker("secret-stream").state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(bus.channelBreaker("secret-stream").snapshot().failedCalls()).isZero();
        assertThat(transport.breaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(transport.breaker().snapshot().failedCalls()).isZero();
    }

    @Test
    void aStreamWithoutRightsAloneForLongIsNoOutageEither() {
        EventBus bus = bus(EventBus.builder(transport));
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(3));   // long after any success, nothing else in use
            CompletableFuture<PublishResult> refused = bus.publishStream("secret-stream", new Order("s", i));
            mock.errorNext(new TopicAuthorizationException(java.util.Set.of("secret-stream")));
            assertThatThrownBy(refused::join).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(bus.channelBreaker("secret-stream").state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(transport.breaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void refusedCredentialsReachTheCallerAndAPublishWaitingForTheNextAttemptOpensNothing() {
        EventBus bus = bus(EventBus.builder(transport));
        CompletableFuture<PublishResult> first = bus.publishStream("orders", new Order("o", 1));
        mock.errorNext(new SaslAuthenticationException("Authentication failed: Invalid username or password"));
        assertThatThrownBy(first::join).hasCauseInstanceOf(SaslAuthenticationException.class);
        // Kafka's send() waits for its next attempt to authenticate (reconnect.backoff.max.ms, 1 s, plus jitter, plus
        // a slow login: 3 s here, past the 2 s in-flight threshold).
        CompletableFuture<PublishResult> waiting = bus.publishStream("orders", new Order("o", 2));
        clock.advance(Duration.ofSeconds(3));
        awaitWatchdogTicks(3);
        assertThat(bus.channelBreaker("orders").state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(transport.breaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
        mock.errorNext(new SaslAuthenticationException("Authentication failed: Invalid username or password"));
        assertThatThrownBy(waiting::join).hasCauseInstanceOf(SaslAuthenticationException.class);
        assertThat(bus.channelBreaker("orders").snapshot().failedCalls()).isZero();
        assertThat(transport.breaker().snapshot().failedCalls()).isZero();
        // Once the cluster answers otherwise, a publish unanswered for the in-flight threshold is a stall again.
        bus.publishStream("orders", new Order("o", 3));
        mock.errorNext(new org.apache.kafka.common.errors.TimeoutException("expired"));
        bus.publishStream("orders", new Order("o", 4));
        clock.advance(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(5)).until(() -> bus.channelBreaker("orders").state() == CircuitBreakerState.OPEN);
    }

    @Test
    void aClusterThatGoesSilentAfterARefusalOpensTheBreakersWithinSeconds() {
        EventBus bus = bus(EventBus.builder(transport));
        CompletableFuture<PublishResult> first = bus.publishStream("orders", new Order("o", 1));
        mock.errorNext(new SaslAuthenticationException("Authentication failed: Invalid username or password"));
        assertThatThrownBy(first::join).hasCauseInstanceOf(SaslAuthenticationException.class);
        // The cluster goes away: publishes are accepted and never answered (until Kafka's delivery.timeout.ms).
        bus.publishStream("orders", new Order("o", 2));
        clock.advance(Duration.ofSeconds(3));
        awaitWatchdogTicks(3);
        assertThat(bus.channelBreaker("orders").state()).as("still within the refusal's excuse (3.2 s)")
                .isEqualTo(CircuitBreakerState.CLOSED);
        clock.advance(Duration.ofMillis(300));
        await().atMost(Duration.ofSeconds(5)).until(() -> bus.channelBreaker("orders").state() == CircuitBreakerState.OPEN
                && transport.breaker().state() == CircuitBreakerState.OPEN);
        assertThat(bus.channelBreaker("orders").snapshot().lastFailure()).startsWith("no publish answered for 3300 ms");
    }

    /** Waits until the watchdog thread has run every check at least {@code ticks} more times. */
    private static void awaitWatchdogTicks(int ticks) {
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        io.breakwater.breaker.Subscription counting = io.breakwater.breaker.watch.Watchdog.register(seen::incrementAndGet);
        try {
            // One tick more than asked: the first may have been under way when the counter joined.
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.get() > ticks);
        } finally {
            counting.close();
        }
    }

    @Test
    void oneBadStreamFailingLongAfterTheLastSuccessElsewhereDoesNotOpenTheTransport() {
        EventBus bus = bus(EventBus.builder(transport).defaultChannelConfig(
                CircuitBreakerConfig.builder("t").failureThreshold(100).clock(clock).build()));
        bus.publishStream("orders", new Order("o", 1));
        mock.completeNext();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(3));   // well past the 2 s of silence each time
            bus.publishStream("audit", new Order("a", 1));
            mock.errorNext(new org.apache.kafka.common.errors.TimeoutException("audit has no leader"));
        }
        assertThat(transport.breaker().state()).as("orders was never seen failing").isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(bus.publishStream("orders", new Order("o", 2))).isNotCompletedExceptionally();
    }

    @Test
    void everyStreamFailingInSilenceOpensTheTransport() {
        EventBus bus = bus(EventBus.builder(transport).defaultChannelConfig(
                CircuitBreakerConfig.builder("t").failureThreshold(100).clock(clock).build()));
        clock.advance(Duration.ofSeconds(3));
        for (int i = 0; i < 6 && transport.breaker().state() == CircuitBreakerState.CLOSED; i++) {
            bus.publishStream("orders", new Order("o", i));
            mock.errorNext(new org.apache.kafka.common.errors.TimeoutException("no answer"));
            bus.publishStream("audit", new Order("a", i));
            mock.errorNext(new org.apache.kafka.common.errors.TimeoutException("no answer"));
        }
        assertThat(transport.breaker().state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void aBadHeaderIsRefusedBeforeAPermitIsTakenAndNeverCounts() {
        EventBus bus = bus(EventBus.builder(transport));
        Map<String, String> bad = new java.util.HashMap<>();
        bad.put(null, "x");
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> bus.publishStream("orders", "k", new Order("o", 1), bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header names must not be null");
        }
        clock.advance(Duration.ofSeconds(5));
        bus.channelBreaker("orders").checkTimeouts();
        org.awaitility.Awaitility.await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(bus.channelBreaker("orders").snapshot().failedCalls()).isZero());
        assertThat(bus.channelBreaker("orders").state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(mock.history()).isEmpty();
    }

    @Test
    void aFallbackThatThrowsOrReturnsNullStillCompletesTheFuture() {
        EventBus bus = bus(EventBus.builder(transport)
                .fallback("orders", (stream, key, event, cause) -> {
                    throw new AssertionError("the fallback's own bug");
                })
                .fallback("audit", (stream, key, event, cause) -> null));
        bus.channelBreaker("orders").forceOpen();
        bus.channelBreaker("audit").forceOpen();
        assertThatThrownBy(bus.publishStream("orders", new Order("o", 1))::join).hasCauseInstanceOf(AssertionError.class);
        assertThatThrownBy(bus.publishStream("audit", new Order("a", 1))::join).hasCauseInstanceOf(NullPointerException.class)
                .hasMessageContaining("returned null");
    }

    @Test
    void aFallbackThatRethrowsTheRefusalFailsTheFutureWithThatRefusal() {
        EventBus bus = bus(EventBus.builder(transport)
                .fallback("orders", (stream, key, event, cause) -> {
                    throw (RuntimeException) cause;
                }));
        bus.channelBreaker("orders").forceOpen();

        assertThatThrownBy(bus.publishStream("orders", new Order("o", 1))::join)
                .hasCauseInstanceOf(io.breakwater.breaker.CircuitBreakerOpenException.class)
                .satisfies(e -> assertThat(e.getCause().getSuppressed()).isEmpty());
    }

    @Test
    void recordsFailedByTheBusesOwnCloseDoNotCountAgainstTheStream() {
        EventBus bus = bus(EventBus.builder(transport));
        for (int i = 0; i < 6; i++) {
            bus.publishStream("orders", new Order("o", i));
        }
        bus.close(Duration.ZERO);
        for (int i = 0; i < 6; i++) {
            mock.errorNext(new org.apache.kafka.common.KafkaException("Producer is closed forcefully."));
        }
        assertThat(bus.channelBreaker("orders").state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(bus.channelBreaker("orders").snapshot().failedCalls()).isZero();
    }

    @Test
    void aThrowingPredicateStillCompletesThePublish() {
        EventBus bus = bus(EventBus.builder(transport).channelConfig("orders", CircuitBreakerConfig.builder("x").clock(clock)
                .recordFailure(t -> {
                    throw new IllegalStateException("a predicate's own bug");
                }).build()));
        CompletableFuture<PublishResult> result = bus.publishStream("orders", new Order("o", 1));
        mock.errorNext(new org.apache.kafka.common.errors.TimeoutException("down"));
        assertThatThrownBy(result::join).hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        assertThat(bus.channelBreaker("orders").snapshot().failedCalls()).as("counted").isEqualTo(1);
    }

    @Test
    void zeroThresholdsAreRefusedAtBuild() {
        assertThatThrownBy(() -> EventBus.builder(transport).sendBlockThreshold(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sendBlockThreshold must be > 0, but was PT0S");
        assertThatThrownBy(() -> EventBus.builder(transport).inFlightThreshold(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("inFlightThreshold must be > 0, but was PT-0.001S");
    }

    @Test
    void aFallbackTakesWhatCannotBePublished() {
        List<Object> spilled = new CopyOnWriteArrayList<>();
        EventBus bus = bus(EventBus.builder(transport).fallback("orders", (stream, key, event, cause) -> {
            spilled.add(event);
            return CompletableFuture.completedFuture(PublishResult.viaFallback("spill:" + stream));
        }));
        bus.channelBreaker("orders").forceOpen();
        Order order = new Order("o-9", 3);
        PublishResult result = bus.publishStream("orders", order).join();
        assertThat(result.acknowledged()).isFalse();
        assertThat(result.topic()).isEqualTo("spill:orders");
        assertThat(spilled).containsExactly(order);
        // Streams without a fallback still fail.
        bus.channelBreaker("audit").forceOpen();
        assertThat(bus.publishStream("audit", order)).isCompletedExceptionally();
    }

    @Test
    void anEventThatCannotBeEncodedFailsWithoutCounting() {
        EventBus bus = bus(EventBus.builder(transport));
        Object unwritable = new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                return this;
            }
        };
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(bus.publishStream("orders", unwritable)::join).hasCauseInstanceOf(SerializationException.class);
        }
        assertThat(bus.channelBreaker("orders").state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(bus.channelBreaker("orders").snapshot().failedCalls()).isZero();
        assertThat(mock.history()).as("nothing was sent").isEmpty();
    }

    @Test
    void anEventThatCannotBeEncodedInHalfOpenGivesItsTrialBack() {
        EventBus bus = this.bus = EventBus.builder(transport).defaultChannelConfig(CircuitBreakerConfig.builder("one-trial")
                .failureThreshold(1).halfOpenMaxCalls(1).successThreshold(1).resetTimeout(Duration.ofSeconds(1)).clock(clock).build()).clock(clock).build();
        bus.channelBreaker("orders").recordFailure("down");
        clock.advance(Duration.ofSeconds(1));
        Object unwritable = new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                return this;
            }
        };

        assertThatThrownBy(bus.publishStream("orders", unwritable)::join).hasCauseInstanceOf(SerializationException.class);
        assertThat(bus.channelBreaker("orders").state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        CompletableFuture<PublishResult> trial = bus.publishStream("orders", new Order("o-1", 1));

        assertThat(trial).as("the one trial was free again, so this publish went").isNotCompletedExceptionally();
        assertThat(mock.history()).hasSize(1);
    }

    @Test
    void headersChangedWhileTheyAreCopiedGiveTheHalfOpenTrialBack() {
        // Headers that another thread changes once the publish has its trial permit (here: while its event is encoded,
        // which comes after the permit): the bus's copy of them throws.
        boolean[] changed = {false};
        RedpandaTransport changing = RedpandaTransport.builder(mock).nonBlocking(false).codec(new io.breakwater.transport.redpanda.EventCodec() {
            @Override
            public byte[] encode(Object event) {
                changed[0] = event.equals("with changing headers");
                return event.toString().getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String contentType() {
                return "text/plain";
            }
        }).breakerConfig(CircuitBreakerConfig.builder("redpanda_transport").clock(clock).build()).build();
        EventBus bus = this.bus = EventBus.builder(changing).defaultChannelConfig(CircuitBreakerConfig.builder("one-trial")
                .failureThreshold(1).halfOpenMaxCalls(1).successThreshold(1).resetTimeout(Duration.ofSeconds(1)).clock(clock)
                .build()).clock(clock).build();
        bus.channelBreaker("orders").recordFailure("down");
        clock.advance(Duration.ofSeconds(1));
        Map<String, String> headers = new java.util.AbstractMap<>() {
            @Override
            public java.util.Set<Entry<String, String>> entrySet() {
                if (changed[0]) {
                    throw new java.util.ConcurrentModificationException("changed by another thread");
                }
                return Map.of("trace", "t-1").entrySet();
            }
        };

        assertThatThrownBy(() -> bus.publishStream("orders", null, "with changing headers", headers))
                .isInstanceOf(java.util.ConcurrentModificationException.class);
        CompletableFuture<PublishResult> trial = bus.publishStream("orders", "the next");

        assertThat(trial).as("the one trial was free again, so this publish went").isNotCompletedExceptionally();
        assertThat(mock.history()).hasSize(1);
    }

    @Test
    void anUnansweredPublishCountsAgainstItsStreamWithinTheThreshold() {
        EventBus bus = bus(EventBus.builder(transport));
        for (int i = 0; i < 3; i++) {
            bus.publishStream("stuck", new Order("s" + i, 1));
        }
        clock.advance(Duration.ofSeconds(2));
        // The watchdog runs every 100 ms on its own thread; the fake clock says the records are 2 s old.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> bus.channelBreaker("stuck").state() == CircuitBreakerState.OPEN);
    }

    @Test
    void streamNamesFollowKafkasTopicRules() {
        EventBus bus = bus(EventBus.builder(transport).topicPrefix("prod."));
        assertThat(bus.topicFor("orders")).isEqualTo("prod.orders");
        assertThatThrownBy(() -> bus.publishStream("bad name", new Order("x", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stream 'bad name' maps to topic 'prod.bad name', which is not a legal Kafka topic name: "
                        + "only ASCII letters, digits, '.', '_' and '-' are allowed");
        assertThatThrownBy(() -> bus.publishStream("x".repeat(250), new Order("x", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Kafka allows at most 249");
        assertThatThrownBy(() -> bus.publishStream("", new Order("x", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("stream name must not be empty");
        assertThatThrownBy(() -> bus.publishStream(null, new Order("x", 1))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> bus.publishStream("orders", null)).isInstanceOf(NullPointerException.class).hasMessage("event");
        assertThatThrownBy(() -> EventBus.builder(transport).topicPrefix("bad prefix "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topic prefix 'bad prefix ' is not legal in a Kafka topic name: only ASCII letters, digits, "
                        + "'.', '_' and '-' are allowed");
        String longest = "s".repeat(249);
        assertThat(bus(EventBus.builder(transport)).channelBreaker(longest).name()).as("a 249-character stream has a breaker")
                .isEqualTo("eventbus-" + longest);
    }

    @Test
    void statusAndHealthAreReportsInTheGuidesShapeAndSerializeToJson() throws Exception {
        EventBus bus = bus(EventBus.builder(transport));
        bus.publishStream("orders", new Order("o", 1));
        mock.completeNext();
        bus.channelBreaker("payments").forceOpen();
        assertThat(bus.circuitBreakerStatus()).containsOnlyKeys("eventbus-orders", "eventbus-payments", "redpanda_transport");
        HealthReport health = bus.health();
        assertThat(health.healthy()).isFalse();
        assertThat(health.openCircuits()).containsExactly("eventbus-payments");
        assertThat(health.openCircuitsCount()).isEqualTo(1);

        JsonNode json = new ObjectMapper().readTree(health.toJson());
        assertThat(json.get("healthy").asBoolean()).isFalse();
        assertThat(json.get("open_circuits").get(0).asText()).isEqualTo("eventbus-payments");
        assertThat(json.get("open_circuits_count").asInt()).isEqualTo(1);
        JsonNode orders = json.get("circuit_breakers").get("eventbus-orders");
        assertThat(orders.get("state").asText()).isEqualTo("CLOSED");
        assertThat(orders.get("successful_calls").asLong()).isEqualTo(1);
        assertThat(orders.get("since").asText()).isEqualTo("2026-01-01T00:00:00Z");
        bus.channelBreaker("payments").reset();
        assertThat(bus.health().healthy()).isTrue();
    }
}
