package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.interceptors.internal.SendQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NonBlockingSendTest {

    /** A producer whose send() blocks, as Kafka's does without metadata, until released. */
    static class StuckProducer extends MockProducer<String, String> {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        StuckProducer() {
            this(true);
        }

        /** {@code autoComplete}: whether each send, once released, is answered at once (else when told). */
        StuckProducer(boolean autoComplete) {
            super(autoComplete, null, new StringSerializer(), new StringSerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> r, Callback cb) {
            awaitRelease();
            return sendNow(r, cb);
        }

        /** Waits until released; interrupted, throws as Kafka's send() does. */
        void awaitRelease() {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new org.apache.kafka.common.errors.InterruptException(e);
            }
        }

        /** The mock's own send. */
        Future<RecordMetadata> sendNow(ProducerRecord<String, String> r, Callback cb) {
            return super.send(r, cb);
        }
    }

    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("non-blocking").failureThreshold(5).build());
    private final List<CircuitBreakerProducer<String, String>> opened = new ArrayList<>();

    private CircuitBreakerProducer<String, String> nonBlocking(MockProducer<String, String> delegate, int queue) {
        CircuitBreakerProducer<String, String> p = CircuitBreakerProducer.builder(delegate).breaker(breaker)
                .watchdog(false).nonBlocking(true).sendQueueMaxRecords(queue).build();
        opened.add(p);
        return p;
    }

    @AfterEach
    void close() {
        opened.forEach(p -> p.close(Duration.ofSeconds(1)));
    }

    private static ProducerRecord<String, String> record(String value) {
        return new ProducerRecord<>("orders", "k", value);
    }

    @Test
    void sendReturnsAtOnceWhileKafkasSendIsBlockedAndTheRecordsGoOutInOrder() throws Exception {
        StuckProducer stuck = new StuckProducer();
        CircuitBreakerProducer<String, String> producer = nonBlocking(stuck, 100);
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        futures.add(producer.send(record("0")));
        assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).as("the sender thread is blocked in send()").isTrue();
        long start = System.nanoTime();
        for (int i = 1; i < 50; i++) {
            futures.add(producer.send(record(String.valueOf(i))));
        }
        long tookNanos = System.nanoTime() - start;
        assertThat(futures).noneMatch(Future::isDone);
        // Fifty sends with Kafka's send() blocked: far below one max.block.ms; 1 s is a margin of thousands.
        assertThat(Duration.ofNanos(tookNanos)).isLessThan(Duration.ofSeconds(1));
        stuck.release.countDown();
        for (Future<RecordMetadata> f : futures) {
            f.get(10, TimeUnit.SECONDS);
        }
        assertThat(stuck.history()).extracting(ProducerRecord::value)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50).mapToObj(String::valueOf).toList());
    }

    @Test
    void aFullQueueFailsTheSendAtOnceThroughFutureAndCallbackWithoutCountingAgainstTheBreaker() throws Exception {
        StuckProducer stuck = new StuckProducer();
        CircuitBreakerProducer<String, String> producer = nonBlocking(stuck, 2);
        producer.send(record("in send()"));
        assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).isTrue();
        producer.send(record("queued 1"));
        producer.send(record("queued 2"));
        List<Exception> seen = new CopyOnWriteArrayList<>();
        Future<RecordMetadata> refused = producer.send(record("no room"), (m, e) -> seen.add(e));
        assertThat(refused.isDone()).isTrue();
        assertThatThrownBy(refused::get).hasCauseInstanceOf(SendQueueFullException.class)
                .hasMessageContaining("The send queue of 'non-blocking' is full (2 records, breakwater.send.queue.max.records)");
        assertThat(seen).singleElement().isInstanceOf(SendQueueFullException.class);
        assertThat(breaker.snapshot().failedCalls()).isZero();
        stuck.release.countDown();
    }

    @Test
    void recordsStillQueuedWhenTheBreakerOpensFailWithItsRefusalAndAreNeverSent() throws Exception {
        StuckProducer stuck = new StuckProducer();
        CircuitBreakerProducer<String, String> producer = nonBlocking(stuck, 100);
        Future<RecordMetadata> first = producer.send(record("in send()"));
        assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<RecordMetadata>> queued = new ArrayList<>();
        List<Exception> callbacks = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(producer.send(record("queued " + i), (m, e) -> callbacks.add(e)));
        }
        breaker.recordStall("test: the cluster is silent");
        // Failed when the breaker opened (on the drain thread), while Kafka's send() is still blocked.
        await().atMost(Duration.ofSeconds(5)).until(() -> queued.stream().allMatch(Future::isDone));
        for (Future<RecordMetadata> f : queued) {
            assertThatThrownBy(f::get).hasCauseInstanceOf(CircuitBreakerOpenException.class);
        }
        assertThat(first.isDone()).as("Kafka's send() has not returned yet").isFalse();
        assertThat(callbacks).hasSize(3).allMatch(e -> e instanceof CircuitBreakerOpenException);
        assertThat(producer.send(record("after")).isDone()).as("refused at once while OPEN").isTrue();
        stuck.release.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(stuck.history()).extracting(ProducerRecord::value).containsExactly("in send()");
    }

    @Test
    void onceTheRetryTimeHasComeTheNextSendIsTheTrialWithoutWaitingForTheWatchdog() throws Exception {
        io.breakwater.breaker.ManualClock clock = new io.breakwater.breaker.ManualClock();
        CircuitBreaker strict = CircuitBreaker.of(CircuitBreakerConfig.builder("retry-due").failureThreshold(1)
                .resetTimeout(Duration.ofSeconds(30)).clock(clock).build());
        MockProducer<String, String> mock = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.builder(mock).breaker(strict).clock(clock)
                .watchdog(false).nonBlocking(true).sendQueueMaxRecords(10).build();
        opened.add(producer);
        strict.recordFailure(new org.apache.kafka.common.errors.TimeoutException("expired"));
        assertThat(strict.state()).isEqualTo(io.breakwater.breaker.CircuitBreakerState.OPEN);
        clock.advance(Duration.ofSeconds(30));   // due, and no watchdog to move it to HALF_OPEN
        assertThat(producer.send(record("trial")).get(10, TimeUnit.SECONDS).topic()).isEqualTo("orders");
        assertThat(mock.history()).extracting(ProducerRecord::value).containsExactly("trial");
        assertThat(strict.snapshot().rejectedCalls()).isZero();
    }

    @Test
    void aSendRefusedAtOnceWhileOpenIsCountedAsRejectedLikeABlockingOnes() {
        CircuitBreakerProducer<String, String> producer = nonBlocking(new MockProducer<>(true, null, new StringSerializer(),
                new StringSerializer()), 100);
        breaker.forceOpen("test");
        for (int i = 0; i < 5; i++) {
            assertThat(producer.send(record("refused " + i)).isDone()).isTrue();
        }
        assertThat(breaker.snapshot().rejectedCalls()).as("each refusal counted, for the rejected-calls metric").isEqualTo(5);
    }

    @Test
    void whatSendWouldThrowArrivesThroughTheFutureAndTheCallback() throws Exception {
        Serializer<String> broken = (topic, data) -> {
            throw new SerializationException("cannot encode " + data);
        };
        MockProducer<String, String> serializing = new MockProducer<>(true, null, new StringSerializer(), broken);
        CircuitBreakerProducer<String, String> producer = nonBlocking(serializing, 10);
        List<Exception> seen = new CopyOnWriteArrayList<>();
        Future<RecordMetadata> future = producer.send(record("x"), (m, e) -> seen.add(e));
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SerializationException.class).hasMessageContaining("cannot encode x");
        assertThat(seen).singleElement().isInstanceOf(SerializationException.class);
        assertThat(breaker.snapshot().failedCalls()).as("the caller's error does not count").isZero();
    }

    @Test
    void aCallbackThatThrowsNeitherStopsTheSenderNorLeavesItsFutureOpen() throws Exception {
        MockProducer<String, String> mock = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        CircuitBreakerProducer<String, String> producer = nonBlocking(mock, 10);
        Future<RecordMetadata> thrower = producer.send(record("a"), (m, e) -> {
            throw new IllegalStateException("callback bug");
        });
        Future<RecordMetadata> next = producer.send(record("b"));
        assertThat(thrower.get(10, TimeUnit.SECONDS).topic()).isEqualTo("orders");
        assertThat(next.get(10, TimeUnit.SECONDS).topic()).isEqualTo("orders");
    }

    @Test
    void aCallbackThatThrowsOnASendRefusedAtOnceDoesNotReachTheCaller() throws Exception {
        CircuitBreakerProducer<String, String> producer = nonBlocking(new MockProducer<>(true, null, new StringSerializer(),
                new StringSerializer()), 10);
        breaker.forceOpen("test");
        java.util.concurrent.atomic.AtomicReference<Future<RecordMetadata>> refused = new java.util.concurrent.atomic.AtomicReference<>();
        assertThatCode(() -> refused.set(producer.send(record("x"), (m, e) -> {
            throw new IllegalStateException("callback bug");
        }))).as("send() never throws what a callback throws").doesNotThrowAnyException();
        assertThat(refused.get().isDone()).isTrue();
        assertThatThrownBy(refused.get()::get).hasCauseInstanceOf(CircuitBreakerOpenException.class);
    }

    @Test
    void closeCalledByACallbackOnTheSenderThreadReturnsAndFailsWhatIsStillQueued() throws Exception {
        StuckProducer stuck = new StuckProducer();
        CircuitBreakerProducer<String, String> producer = nonBlocking(stuck, 10);
        CountDownLatch closed = new CountDownLatch(1);
        producer.send(record("a"), (m, e) -> {
            producer.close();   // on the sender thread: MockProducer answers inside send()
            closed.countDown();
        });
        assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).isTrue();
        Future<RecordMetadata> queued = producer.send(record("b"));
        stuck.release.countDown();
        assertThat(closed.await(10, TimeUnit.SECONDS)).as("close() from the callback returned").isTrue();
        assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(KafkaException.class)
                .hasMessageContaining(SendQueue.CLOSED_BEFORE_SENT);
        assertThat(stuck.history()).extracting(ProducerRecord::value).containsExactly("a");
    }

    @Test
    void closeWithATimeoutCalledByACallbackOnTheSenderThreadLeavesKafkaTheRestOfIt() throws Exception {
        List<Duration> closes = new CopyOnWriteArrayList<>();
        MockProducer<String, String> mock = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()) {
            @Override
            public void close(Duration timeout) {
                closes.add(timeout);
                super.close(timeout);
            }
        };
        CircuitBreakerProducer<String, String> producer = nonBlocking(mock, 10);
        CountDownLatch closed = new CountDownLatch(1);
        producer.send(record("a"), (m, e) -> {
            producer.close(Duration.ofSeconds(30));   // on the sender thread: MockProducer answers inside send()
            closed.countDown();
        });
        assertThat(closed.await(10, TimeUnit.SECONDS)).as("close(30 s) from the callback returned").isTrue();
        assertThat(closes).hasSize(1);
        assertThat(closes.get(0)).as("what Kafka holds gets the rest of the 30 s: no forced close").isGreaterThan(Duration.ofSeconds(20));
    }

    @Test
    void closeAndFlushOnKafkasNetworkThreadWaitForNoSenderAsKafkasOwnCloseThere() throws Exception {
        List<Duration> closes = new CopyOnWriteArrayList<>();
        // Its send() waits, as Kafka's does for buffer memory or metadata, which only its network thread brings.
        StuckProducer waiting = new StuckProducer() {
            @Override
            public void flush() {
            }

            @Override
            public void close(Duration timeout) {
                closes.add(timeout);
                super.close(timeout);
            }
        };
        waiting.setMockMetrics(new org.apache.kafka.common.MetricName("record-send-total", "producer-metrics", "",
                Map.of("client-id", "orders-app")), clientId("orders-app"));   // Kafka names its network thread after it
        CircuitBreakerProducer<String, String> producer = nonBlocking(waiting, 10);
        producer.send(record("a"));
        assertThat(waiting.entered.await(10, TimeUnit.SECONDS)).as("the sender waits inside Kafka's send()").isTrue();
        Future<RecordMetadata> queued = producer.send(record("b"));
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        Thread network = new Thread(() -> {
            try {
                producer.flush();
                producer.close(Duration.ofSeconds(30));
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, org.apache.kafka.clients.producer.KafkaProducer.NETWORK_THREAD_PREFIX + " | orders-app");
        network.start();
        try {
            done.get(10, TimeUnit.SECONDS);
        } finally {
            waiting.release.countDown();
        }
        assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(KafkaException.class)
                .hasMessageContaining(SendQueue.CLOSED_BEFORE_SENT);
        assertThat(closes).as("as Kafka's own close on its network thread").containsExactly(Duration.ZERO);
    }

    @Test
    void aFlushOnAnotherProducersNetworkThreadStillWaitsForTheQueue() throws Exception {
        StuckProducer stuck = new StuckProducer();
        stuck.setMockMetrics(new org.apache.kafka.common.MetricName("record-send-total", "producer-metrics", "",
                Map.of("client-id", "orders-app")), clientId("orders-app"));
        CircuitBreakerProducer<String, String> producer = nonBlocking(stuck, 10);
        producer.send(record("a"));
        assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).isTrue();
        CountDownLatch flushed = new CountDownLatch(1);
        // A callback of another producer (its client id another) that flushes this one: no deadlock is possible there.
        Thread other = new Thread(() -> {
            producer.flush();
            flushed.countDown();
        }, org.apache.kafka.clients.producer.KafkaProducer.NETWORK_THREAD_PREFIX + " | payments-app");
        other.start();
        assertThat(flushed.await(200, TimeUnit.MILLISECONDS)).as("waits while the record is not handed over").isFalse();
        stuck.release.countDown();
        assertThat(flushed.await(10, TimeUnit.SECONDS)).as("returns once it is").isTrue();
    }

    /** A metric whose name carries a producer's client id, as each of a KafkaProducer's metrics does. */
    private static org.apache.kafka.common.Metric clientId(String id) {
        return new org.apache.kafka.common.Metric() {
            @Override
            public org.apache.kafka.common.MetricName metricName() {
                return new org.apache.kafka.common.MetricName("record-send-total", "producer-metrics", "", Map.of("client-id", id));
            }

            @Override
            public Object metricValue() {
                return 0.0;
            }
        };
    }

    @Test
    void flushHandsEveryQueuedRecordToKafkaFirst() {
        MockProducer<String, String> mock = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
        CircuitBreakerProducer<String, String> producer = nonBlocking(mock, 1000);
        for (int i = 0; i < 500; i++) {
            producer.send(record(String.valueOf(i)));
        }
        Thread completer = new Thread(() -> {
            await().atMost(Duration.ofSeconds(10)).until(() -> mock.history().size() == 500);
            while (mock.completeNext()) {
                // completes everything sent
            }
        });
        completer.start();
        producer.flush();
        assertThat(mock.history()).hasSize(500);
    }

    @Test
    void closeWithATimeoutFailsWhatIsStillQueuedAndReturnsWithinItsBound() throws Exception {
        StuckProducer stuck = new StuckProducer();
        CircuitBreakerProducer<String, String> producer = nonBlocking(stuck, 100);
        producer.send(record("in send()"));
        assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).isTrue();
        Future<RecordMetadata> queued = producer.send(record("queued"));
        long start = System.nanoTime();
        producer.close(Duration.ofMillis(300));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(() -> queued.get(1, TimeUnit.SECONDS)).hasCauseInstanceOf(KafkaException.class)
                .hasMessageContaining(SendQueue.CLOSED_BEFORE_SENT);
        assertThatThrownBy(() -> producer.send(record("late"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot send after the producer is closed");
        assertThat(breaker.snapshot().failedCalls()).as("a shutdown is not the cluster's failure").isZero();
    }

    @Test
    void aFlushWaitingWhenCloseTimesOutReturnsOnlyOnceTheRecordInSendIsDone() throws Exception {
        StuckProducer stuck = new StuckProducer() {
            @Override
            public Future<RecordMetadata> send(ProducerRecord<String, String> r, Callback cb) {   // holds no lock while stuck
                awaitRelease();
                return sendNow(r, cb);
            }
        };
        CircuitBreakerProducer<String, String> producer = nonBlocking(stuck, 100);
        Future<RecordMetadata> inSend = producer.send(record("in send()"));
        assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).isTrue();
        // What flush did once its records were handed over (then the closed mock's flush refuses): whether the record
        // was done then; or what it threw should close have given up on the sender in send().
        java.util.concurrent.CompletableFuture<String> flushed = new java.util.concurrent.CompletableFuture<>();
        Thread flusher = new Thread(() -> {
            try {
                producer.flush();
                flushed.complete(inSend.isDone() ? "handed over, the record done" : "handed over, the record not done");
            } catch (IllegalStateException e) {   // the delegate's flush, past the hand-over: "already closed"
                flushed.complete(inSend.isDone() ? "handed over, the record done" : "handed over, the record not done");
            } catch (RuntimeException e) {
                flushed.complete("threw " + e.getMessage());
            }
        });
        flusher.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> flusher.getState() == Thread.State.WAITING);

        try {
            producer.close(Duration.ofMillis(300));
        } finally {
            stuck.release.countDown();   // should close no longer interrupt the sender, it still ends
        }

        // Close's drain let the flush go while the record was still in send(): an application committing after its
        // flush committed past a record that then failed. Now it returns once the sender is out of send(), or throws
        // should close give up on it first.
        assertThat(flushed.get(10, TimeUnit.SECONDS)).isIn("handed over, the record done", "threw The producer of "
                + "'non-blocking' closed while a record was still in its send(): this flush cannot tell whether every "
                + "record before it is done");
        await().atMost(Duration.ofSeconds(10)).until(inSend::isDone);
    }

    @Test
    void transactionsAreRefusedInNonBlockingMode() {
        CircuitBreakerProducer<String, String> producer =
                nonBlocking(new MockProducer<>(true, null, new StringSerializer(), new StringSerializer()), 10);
        assertThatThrownBy(producer::initTransactions).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("breakwater.send.nonblocking=true");
    }

    @Test
    void aTransactionOfAProducerInitialisedBeforeItWasWrappedIsRefusedToo() {
        MockProducer<String, String> mock = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        mock.initTransactions();
        CircuitBreakerProducer<String, String> producer = nonBlocking(mock, 10);
        assertThatThrownBy(producer::beginTransaction).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("breakwater.send.nonblocking=true");
        assertThat(mock.transactionInFlight()).as("refused before Kafka began one").isFalse();
    }

    @Test
    void theConfigKeysTurnItOnAndBadValuesNameTheKey() throws Exception {
        Map<String, Object> config = Map.of("breakwater.send.nonblocking", "true", "breakwater.send.queue.max.records", "1",
                "breakwater.status.enabled", "false", "breakwater.breaker.name", "non-blocking-by-config");
        StuckProducer stuck = new StuckProducer();
        CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.wrap(stuck, config);
        opened.add(producer);
        producer.send(record("in send()"));
        assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).isTrue();
        producer.send(record("queued"));
        assertThatThrownBy(() -> producer.send(record("full")).get()).hasCauseInstanceOf(SendQueueFullException.class);
        stuck.release.countDown();

        assertThatThrownBy(() -> CircuitBreakerProducer.wrap(new MockProducer<>(), Map.of("breakwater.send.queue.max.records", "0",
                "breakwater.status.enabled", "false"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("breakwater.send.queue.max.records");
        assertThatThrownBy(() -> CircuitBreakerProducer.wrap(new MockProducer<>(), Map.of("breakwater.send.nonblocking", "yes",
                "breakwater.status.enabled", "false"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("breakwater.send.nonblocking");
        assertThatThrownBy(() -> CircuitBreakerProducer.builder(new MockProducer<String, String>()).sendQueueMaxRecords(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sendQueueMaxRecords must be >= 1, but was 0");
    }
}
