package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A record with a partition of its own that its topic does not have: Kafka's {@code send()} waits up to
 * {@code max.block.ms} for it to appear, on a cluster that answers. That is the caller's error, not a stall: it must
 * neither open the breaker nor count.
 */
class OwnPartitionTest {

    private static final Node NODE = new Node(0, "localhost", 9092);
    /** {@code orders}, with one partition. */
    private static final Cluster CLUSTER = new Cluster("test", List.of(NODE),
            List.of(new PartitionInfo("orders", 0, NODE, new Node[] {NODE}, new Node[] {NODE})), Set.of(), Set.of());

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("own-partition")
            .failureThreshold(1).resetTimeout(Duration.ofSeconds(30)).clock(clock).build());
    /** Callbacks of the sends Kafka holds while it waits for a partition the metadata does not have. */
    private final List<Callback> waiting = new ArrayList<>();
    /** As KafkaProducer: a record for a partition its metadata lacks waits in send() (here: is held, unanswered). */
    private final MockProducer<String, String> mock = new MockProducer<>(CLUSTER, false, null, new StringSerializer(),
            new StringSerializer()) {
        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<String, String> record, Callback callback) {
            if (record.partition() != null && record.partition() >= partitionsFor(record.topic()).size()) {
                waiting.add(callback);
                return new CompletableFuture<>();
            }
            return super.send(record, callback);
        }
    };
    private final CircuitBreakerProducer<String, String> producer =
            CircuitBreakerProducer.builder(mock).breaker(breaker).watchdog(false).build();

    /** A send of {@code orders} acknowledged: the producer has the topic's metadata. */
    private void acknowledged() {
        producer.send(new ProducerRecord<>("orders", "k", "first"));
        assertThat(mock.completeNext()).isTrue();
    }

    @Test
    void aSendWaitingForAPartitionTheTopicLacksIsNoStallAndDoesNotCount() {
        acknowledged();
        List<Exception> heard = new ArrayList<>();
        Future<RecordMetadata> bad = producer.send(new ProducerRecord<>("orders", 7, "k", "v"), (m, e) -> heard.add(e));

        clock.advance(Duration.ofSeconds(5));
        producer.checkNow();
        assertThat(breaker.state()).as("a send Kafka holds for a partition it does not know").isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().ignoredCalls()).as("its permit given back").isEqualTo(1);

        // Kafka gives up after max.block.ms: the caller hears its answer, which counts for nothing.
        TimeoutException late = new TimeoutException("Partition 7 of topic orders with partition count 1 is not present in "
                + "metadata after 5000 ms.");
        waiting.get(0).onCompletion(null, late);
        assertThat(heard).containsExactly(late);
        producer.checkNow();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().failedCalls()).isZero();
        assertThat(bad.isDone()).as("the future is Kafka's, which this mock never completes").isFalse();
    }

    @Test
    void aPartitionTheTopicHasIsWatchedAsAnySend() {
        acknowledged();
        producer.send(new ProducerRecord<>("orders", 0, "k", "v"));

        clock.advance(Duration.ofSeconds(5));
        producer.checkNow();

        assertThat(breaker.state()).as("unanswered, nothing succeeding: a stall").isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void metadataNotFoundWithinMaxBlockIsTheSendsAnswerAsKafkaGivesItAndCounts() {
        acknowledged();   // and then idle long enough for Kafka to forget the topic, and the cluster gone
        mock.clear();
        TimeoutException noMetadata = new TimeoutException("Topic orders not present in metadata after 60000 ms.");
        mock.partitionsForException = noMetadata;
        List<RecordMetadata> metadata = new ArrayList<>();
        List<Exception> heard = new ArrayList<>();

        Future<RecordMetadata> sent = producer.send(new ProducerRecord<>("orders", 3, "k", "v"), (m, e) -> {
            metadata.add(m);
            heard.add(e);
        });

        assertThat(heard).as("heard once, through the callback").containsExactly(noMetadata);
        assertThat(metadata.get(0).topic()).isEqualTo("orders");
        assertThat(metadata.get(0).partition()).isEqualTo(3);
        assertThatThrownBy(sent::get).isInstanceOf(ExecutionException.class).hasCause(noMetadata);
        assertThat(mock.history()).as("not sent: Kafka would wait as long again").isEmpty();
        assertThat(breaker.snapshot().failedCalls()).isEqualTo(1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void inATransactionMetadataNotFoundDoomsTheCommitAndSaysWhy() {
        MockProducer<String, String> transactional = new MockProducer<>(CLUSTER, true, null, new StringSerializer(),
                new StringSerializer());
        CircuitBreakerProducer<String, String> tx = CircuitBreakerProducer.builder(transactional)
                .breaker(CircuitBreaker.of(CircuitBreakerConfig.builder("own-partition-tx").clock(clock).build()))
                .watchdog(false).build();
        tx.initTransactions();
        tx.beginTransaction();
        tx.send(new ProducerRecord<>("orders", "k", "first"));
        transactional.partitionsForException = new TimeoutException("Topic orders not present in metadata after 60000 ms.");

        tx.send(new ProducerRecord<>("orders", 0, "k", "v"));

        assertThatThrownBy(tx::commitTransaction).isInstanceOf(KafkaException.class)
                .hasMessage("Transaction not committed: a send in it was never written, its topic's metadata not found "
                        + "within max.block.ms; abort the transaction (Topic orders not present in metadata after 60000 ms.)")
                .hasCauseInstanceOf(TimeoutException.class);
        tx.abortTransaction();
    }

    /** Kafka waits for the partition on the shared sender thread (partitions just added appear there), unwatched. */
    @Test
    void inTheNonBlockingModeTooItGoesToKafkaUnwatched() throws Exception {
        CircuitBreaker shared = CircuitBreaker.of(CircuitBreakerConfig.builder("own-partition-queue")
                .failureThreshold(1).clock(clock).build());
        try (CircuitBreakerProducer<String, String> queued = CircuitBreakerProducer.builder(mock).breaker(shared)
                .watchdog(false).nonBlocking(true).build()) {
            Future<RecordMetadata> first = queued.send(new ProducerRecord<>("orders", "k", "first"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> mock.history().size() == 1);
            assertThat(mock.completeNext()).isTrue();
            first.get(10, java.util.concurrent.TimeUnit.SECONDS);

            queued.send(new ProducerRecord<>("orders", 7, "k", "v"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> waiting.size() == 1);
            clock.advance(Duration.ofSeconds(5));
            queued.checkNow();

            assertThat(shared.state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(shared.snapshot().ignoredCalls()).isEqualTo(1);
            assertThat(shared.snapshot().failedCalls()).isZero();
        }
    }
}
