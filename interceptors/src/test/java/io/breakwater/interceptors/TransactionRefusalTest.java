package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A send the wrapper refuses inside a transaction dooms the transaction, as a failed send dooms a Kafka one. */
class TransactionRefusalTest {

    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("tx-out")
            .clock(new ManualClock()).build());
    private final MockProducer<String, String> mock =
            new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    private final CircuitBreakerProducer<String, String> producer =
            CircuitBreakerProducer.builder(mock).breaker(breaker).watchdog(false).build();

    private static ProducerRecord<String, String> record(String value) {
        return new ProducerRecord<>("orders", "k", value);
    }

    @BeforeEach
    void initTransactions() {
        producer.initTransactions();
    }

    @Test
    void aRefusedSendMakesTheCommitFailWithoutCommittingAnything() {
        producer.beginTransaction();
        producer.send(record("before"));
        breaker.forceOpen("test");
        Future<RecordMetadata> refused = producer.send(record("refused"));
        assertThat(refused).isDone();
        assertThatThrownBy(refused::get).hasCauseInstanceOf(CircuitBreakerOpenException.class);

        assertThatThrownBy(producer::commitTransaction).isInstanceOf(KafkaException.class)
                .hasCauseInstanceOf(CircuitBreakerOpenException.class)
                .hasMessageStartingWith("Transaction not committed: circuit breaker 'tx-out' refused a send in it, "
                        + "which was never written; abort the transaction");
        assertThat(mock.transactionCommitted()).isFalse();
        assertThat(mock.transactionInFlight()).as("left for the caller to abort").isTrue();

        producer.abortTransaction();
        assertThat(mock.transactionAborted()).isTrue();
        assertThat(mock.history()).isEmpty();
    }

    @Test
    void initTransactionsFailsAtOnceWhileTheBreakerRefusesAndReachesKafkaAgainOnceItAdmits() {
        MockProducer<String, String> fresh = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        CircuitBreakerProducer<String, String> next = CircuitBreakerProducer.builder(fresh).breaker(breaker).watchdog(false).build();
        breaker.forceOpen("test");
        // A new transactional producer (Spring makes one after a failed commit) must not wait max.block.ms for a
        // coordinator of a cluster the breaker already knows is away.
        assertThatThrownBy(next::initTransactions).isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(fresh.transactionInitialized()).isFalse();
        breaker.reset();
        next.initTransactions();
        assertThat(fresh.transactionInitialized()).isTrue();
    }

    @Test
    void initTransactionsGoesAheadOnceAnOpenBreakersRetryTimeHasComeEvenWithoutAWatchdog() {
        ManualClock clock = new ManualClock();
        CircuitBreaker tripped = CircuitBreaker.of(CircuitBreakerConfig.builder("tx-tripped").failureThreshold(1)
                .resetTimeout(Duration.ofSeconds(5)).clock(clock).build());
        MockProducer<String, String> fresh = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        // Without a watchdog nothing moves the breaker out of OPEN but a call: a transactional producer sends nothing
        // before initTransactions(), so refusing it by the OPEN state alone would refuse it for good.
        CircuitBreakerProducer<String, String> next = CircuitBreakerProducer.builder(fresh).breaker(tripped).watchdog(false).build();
        tripped.recordFailure("down");
        assertThatThrownBy(next::initTransactions).isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(fresh.transactionInitialized()).isFalse();

        clock.advance(Duration.ofSeconds(5));
        next.initTransactions();
        assertThat(fresh.transactionInitialized()).isTrue();
        next.beginTransaction();
        next.send(record("trial"));
        assertThat(fresh.uncommittedRecords()).as("handed to Kafka, in the transaction").hasSize(1);
        assertThat(tripped.state()).as("the first send took the trial").isEqualTo(CircuitBreakerState.HALF_OPEN);
    }

    @Test
    void theNextTransactionCommitsOnceTheDoomedOneIsAborted() {
        producer.beginTransaction();
        breaker.forceOpen("test");
        producer.send(record("refused"));
        producer.abortTransaction();
        breaker.reset("test");

        producer.beginTransaction();
        producer.send(record("next"));
        producer.commitTransaction();
        assertThat(mock.transactionCommitted()).isTrue();
        assertThat(mock.history()).extracting(ProducerRecord::value).containsExactly("next");
    }

    @Test
    void aRefusalOutsideATransactionDoesNotDoomTheNextOne() {
        breaker.forceOpen("test");
        producer.send(record("refused, no transaction"));
        breaker.reset("test");

        producer.beginTransaction();
        producer.send(record("sent"));
        producer.commitTransaction();
        assertThat(mock.history()).extracting(ProducerRecord::value).containsExactly("sent");
    }

    @Test
    void aRecordVetoedByItsOwnGateDoomsTheTransactionToo() {
        producer.beginTransaction();
        producer.send(record("before"));
        producer.send(record("vetoed"), null, () -> new IllegalStateException("stream closed"));
        assertThatThrownBy(producer::commitTransaction).isInstanceOf(KafkaException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(mock.transactionCommitted()).isFalse();
    }
}
