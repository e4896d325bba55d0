package io.breakwater.consumer;

import static io.breakwater.consumer.Fixture.P0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** FailedRecordHandler.deadLetterTopic: what a dead letter carries, and that only an acknowledged one counts. */
class DeadLetterTopicTest {

    private static String header(ProducerRecord<String, String> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    @Test
    void aDeadLetterProducerClosedBeforeTheConsumerHoldsTheRecordBackInsteadOfDroppingIt() {
        // Kafka's own producer, closed (the application stopping in that order): each send throws at once. That used to
        // be a failed hand-over, tried maxAttempts times, after which the record was dropped and committed past.
        Fixture f = new Fixture(b -> b.ignoreExceptions(IllegalArgumentException.class));
        org.apache.kafka.clients.producer.KafkaProducer<String, String> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
                java.util.Map.of("bootstrap.servers", "127.0.0.1:1"), new StringSerializer(), new StringSerializer());
        producer.close(Duration.ZERO);
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> new IllegalArgumentException("bad amount")))
                .failedRecordHandler(FailedRecordHandler.deadLetterTopic(producer, "orders.dlt", Duration.ofSeconds(5)))
                .maxAttempts(2)
                .retryBackoff(Duration.ofMillis(100))
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 2);
        for (int i = 0; i < 10; i++) {
            gated.runOnce();
            f.clock.advance(Duration.ofMillis(100));
        }

        assertThat(gated.stats().recordsDropped()).as("none dropped").isZero();
        assertThat(f.committed(P0)).as("nothing committed past the first").isIn(-1L, 0L);
        assertThat(f.calls.stream().filter("0-0"::equals)).as("waiting for its hand-over, not for another try").hasSize(1);
        gated.close();
    }

    @Test
    void aRecordTheBreakerDoesNotCountGoesToTheDeadLetterTopicWithItsOriginAndFailure() {
        Fixture f = new Fixture(b -> b.ignoreExceptions(IllegalArgumentException.class));
        MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        GatedConsumer<String, String> gated = f.builder()
                .recordHandler(f.handler(r -> r.offset() == 1 ? new IllegalArgumentException("amount password=hunter2 < 0") : null))
                .failedRecordHandler(FailedRecordHandler.deadLetterTopic(producer, "orders.dlt", Duration.ofSeconds(5)))
                .build();
        gated.runOnce();
        f.assign(P0);
        f.produce(P0, 3);
        gated.runOnce();

        assertThat(producer.history()).hasSize(1);
        ProducerRecord<String, String> dead = producer.history().get(0);
        assertThat(dead.topic()).isEqualTo("orders.dlt");
        assertThat(dead.key()).isEqualTo("k1");
        assertThat(dead.value()).isEqualTo("v1");
        assertThat(header(dead, "breakwater.dlt.topic")).isEqualTo("orders");
        assertThat(header(dead, "breakwater.dlt.partition")).isEqualTo("0");
        assertThat(header(dead, "breakwater.dlt.offset")).isEqualTo("1");
        assertThat(header(dead, "breakwater.dlt.exception"))
                .isEqualTo("java.lang.IllegalArgumentException: amount password=**** < 0");
        assertThat(f.committed(P0)).isEqualTo(3);
    }

    @Test
    void aDeadLetterNotAcknowledgedInTimeFailsSoTheRecordIsTriedAgain() {
        MockProducer<String, String> producer = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
        FailedRecordHandler<String, String> dlt = FailedRecordHandler.deadLetterTopic(producer, "orders.dlt",
                Duration.ofMillis(50));

        assertThatThrownBy(() -> dlt.handle(new ConsumerRecord<>("orders", 0, 7, "k", "v"), new IllegalStateException("x")))
                .isInstanceOf(java.util.concurrent.TimeoutException.class)
                .hasMessage("dead letter of orders-0@7 not acknowledged by orders.dlt within PT0.05S");
    }

    @Test
    void aDeadLetterTheProducerFailsThrowsTheProducersError() {
        MockProducer<String, String> producer = new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
        FailedRecordHandler<String, String> dlt = FailedRecordHandler.deadLetterTopic(producer, "orders.dlt",
                Duration.ofSeconds(5));
        Thread answer = new Thread(() -> {
            while (!producer.errorNext(new TimeoutException("Expiring 1 record(s)"))) {
                Thread.onSpinWait();
            }
        });
        answer.start();

        assertThatThrownBy(() -> dlt.handle(new ConsumerRecord<>("orders", 0, 7, "k", "v"), new IllegalStateException("x")))
                .isInstanceOf(TimeoutException.class).hasMessage("Expiring 1 record(s)");
    }

    @Test
    void badArgumentsAreNamed() {
        MockProducer<String, String> producer = new MockProducer<>();

        assertThatThrownBy(() -> FailedRecordHandler.deadLetterTopic(producer, "orders dlt", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topic must be a Kafka topic name (1 to 249 of [a-zA-Z0-9._-], not '.' or '..'), but was 'orders dlt'");
        assertThatThrownBy(() -> FailedRecordHandler.deadLetterTopic(producer, "orders.dlt", Duration.ZERO))
                .hasMessage("sendTimeout must be in (0, 1 day], but was PT0S");
        assertThatThrownBy(() -> FailedRecordHandler.deadLetterTopic(producer, "orders.dlt", Duration.ofMillis(Long.MAX_VALUE)))
                .hasMessage("sendTimeout must be in (0, 1 day], but was " + Duration.ofMillis(Long.MAX_VALUE));
        assertThatThrownBy(() -> FailedRecordHandler.deadLetterTopic(null, "orders.dlt", Duration.ofSeconds(1)))
                .isInstanceOf(NullPointerException.class).hasMessage("producer");
        assertThatThrownBy(() -> FailedRecordHandler.deadLetterTopic(producer, "", Duration.ofSeconds(1)))
                .hasMessageContaining("but was ''");
        assertThat(List.of(FailedRecordHandler.deadLetterTopic(producer, "orders.dlt", Duration.ofSeconds(1)).toString()))
                .containsExactly("FailedRecordHandler.deadLetterTopic(orders.dlt)");
    }
}
