package io.breakwater.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Mode OBSERVE on a {@link MockProducer} whose sends are answered by hand, and a breaker on a {@link ManualClock}: the
 * breaker moves as it would in front of an enforcing guard (opens, tries after its reset timeout, closes or re-opens),
 * and every send reaches Kafka whatever its state.
 */
class ObservingProducerTest {

    private static final Duration RESET = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("kafka-template")
            .failureThreshold(2).successThreshold(2).halfOpenMaxCalls(2).resetTimeout(RESET).clock(clock).build());
    private final MockProducer<String, String> kafka =
            new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
    private final ObservingProducer<String, String> producer = new ObservingProducer<>(kafka, breaker);
    private final List<Exception> callbacks = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        producer.close(Duration.ZERO);
    }

    private Future<RecordMetadata> send(String value) {
        return producer.send(new ProducerRecord<>("orders", "k", value), (metadata, exception) ->
                callbacks.add(exception == null ? new Exception("ok") : exception));
    }

    private void fail(int sends) {
        for (int i = 0; i < sends; i++) {
            assertThat(kafka.errorNext(new TimeoutException("no answer"))).isTrue();
        }
    }

    private void succeed(int sends) {
        for (int i = 0; i < sends; i++) {
            assertThat(kafka.completeNext()).isTrue();
        }
    }

    private void open() {
        send("a");
        send("b");
        fail(2);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }

    @Test
    void anOpenObservedBreakerTriesAgainAfterItsResetTimeoutAndClosesOnRealTraffic() {
        open();

        // Before the reset timeout: sent all the same, counted as what an enforcing guard would refuse, not recorded.
        send("c");
        send("d");
        assertThat(kafka.history()).hasSize(4);
        fail(2);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breaker.callStats().rejected()).isEqualTo(2);
        assertThat(breaker.callStats().failed()).as("only the sends it permitted").isEqualTo(2);

        // After it: the next sends are the trials (two), and a third, beyond them, goes to Kafka too.
        clock.advance(RESET);
        send("e");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        send("f");
        send("g");
        assertThat(kafka.history()).hasSize(7);
        assertThat(breaker.callStats().rejected()).isEqualTo(3);
        succeed(2);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        succeed(1);
        assertThat(breaker.callStats().successful()).as("the trials' successes").isEqualTo(2);
        assertThat(callbacks).as("every caller's callback").hasSize(7);
    }

    @Test
    void aFailedTrialReopensTheObservedBreaker() {
        open();
        clock.advance(RESET);
        send("trial");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);
        fail(1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);

        // And it tries again after the next reset timeout.
        send("before the timeout");
        fail(1);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        clock.advance(RESET);
        send("next trial");
        send("second trial");
        succeed(2);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void neverRefusesASendWhileForcedOpenAndTheCallerSeesKafkasOutcome() throws Exception {
        breaker.forceOpen("test");
        Future<RecordMetadata> sent = send("v");
        assertThat(kafka.history()).hasSize(1);
        succeed(1);
        assertThat(sent.get().topic()).isEqualTo("orders");
        assertThat(callbacks).singleElement().extracting(Exception::getMessage).isEqualTo("ok");
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
    }

    @Test
    void aTrialThatFailsWithTheCallersErrorGivesItsPermitBack() {
        open();
        clock.advance(RESET);
        kafka.sendException = new SerializationException("bad record");
        assertThatThrownBy(() -> send("bad")).isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> send("bad")).isInstanceOf(SerializationException.class);
        kafka.sendException = null;
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.HALF_OPEN);

        // Both trial permits came back: the next two sends are the trials that close the breaker.
        send("good");
        send("good");
        assertThat(breaker.callStats().rejected()).isZero();
        succeed(2);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }

    @Test
    void aSendThatThrowsAnAvailabilityFailureCounts() {
        kafka.sendException = new TimeoutException("metadata not available after max.block.ms");
        assertThatThrownBy(() -> send("v")).isInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> send("v")).isInstanceOf(TimeoutException.class);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
    }
}
