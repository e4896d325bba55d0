package io.breakwater.transport.redpanda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.breakwater.breaker.CircuitBreakerOpenException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class RedpandaTransportTest {

    record Trade(String symbol, int quantity, Instant at, LocalDate settles) {
    }

    // Most tests complete the mock's sends by hand right after sending, so they use blocking sends.
    private final MockProducer<String, byte[]> mock = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());

    @Test
    void sendsAreNonBlockingByDefaultAndKeepTheirOrder() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        MockProducer<String, byte[]> stuck = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized java.util.concurrent.Future<RecordMetadata> send(ProducerRecord<String, byte[]> r,
                                                                                 org.apache.kafka.clients.producer.Callback cb) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.send(r, cb);
            }
        };
        try (RedpandaTransport transport = RedpandaTransport.builder(stuck).build()) {
            CompletableFuture<RecordMetadata> first = transport.send("t", "k", new byte[] {0}, Map.of());
            assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("Kafka's send() is blocked").isTrue();
            CompletableFuture<RecordMetadata> second = transport.send("t", "k", new byte[] {1}, Map.of());
            assertThat(first).isNotDone();
            assertThat(second).as("returned although the producer is blocked").isNotDone();
            release.countDown();
            second.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(stuck.history()).extracting(r -> r.value()[0]).containsExactly((byte) 0, (byte) 1);
        }
    }

    @Test
    void sendsBytesWithKeyAndHeaders() {
        try (RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false).build()) {
            CompletableFuture<RecordMetadata> sent = transport.send("trades", "AAPL", "hello".getBytes(StandardCharsets.UTF_8),
                    Map.of("trace-id", "abc"));
            mock.completeNext();
            assertThat(sent).isCompleted();
            ProducerRecord<String, byte[]> record = mock.history().get(0);
            assertThat(record.topic()).isEqualTo("trades");
            assertThat(record.key()).isEqualTo("AAPL");
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("hello");
            Header trace = record.headers().lastHeader("trace-id");
            assertThat(new String(trace.value(), StandardCharsets.UTF_8)).isEqualTo("abc");
        }
        assertThat(mock.closed()).isTrue();
        assertThat(mock.flushed()).as("close flushes first").isTrue();
    }

    @Test
    void theDefaultCodecWritesJsonWithJavaTimeAsIsoStrings() {
        String json = new String(JsonEventCodec.create().encode(
                new Trade("AAPL", 100, Instant.parse("2026-11-29T10:15:30Z"), LocalDate.of(2026, 12, 1))), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"symbol\":\"AAPL\",\"quantity\":100,\"at\":\"2026-11-29T10:15:30Z\",\"settles\":\"2026-12-01\"}");
    }

    @Test
    void theObjectMapperIsConfigurable() {
        ObjectMapper snake = JsonEventCodec.defaultMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        try (RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false).objectMapper(snake).build()) {
            record Order(String clientOrderId) {
            }
            assertThat(new String(transport.encode(new Order("c-1")), StandardCharsets.UTF_8)).isEqualTo("{\"client_order_id\":\"c-1\"}");
        }
    }

    @Test
    void anEventThatCannotBeWrittenIsASerializationError() {
        Object selfReferencing = new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                return this;
            }
        };
        assertThatThrownBy(() -> JsonEventCodec.create().encode(selfReferencing))
                .isInstanceOf(SerializationException.class).hasMessageContaining("could not write an event of type");
    }

    @Test
    void theTransportBreakerIsTheKafkaPreset() {
        try (RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false).build()) {
            assertThat(transport.breaker().name()).isEqualTo("redpanda_transport");
            assertThat(transport.breaker().config().failureThreshold()).isEqualTo(5);
            assertThat(transport.breaker().config().resetTimeout()).isEqualTo(Duration.ofSeconds(30));
        }
    }

    @Test
    void anOpenTransportFailsAtOnceNamingItsBreaker() {
        try (RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false).build()) {
            transport.breaker().forceOpen();
            CompletableFuture<RecordMetadata> sent = transport.send("trades", null, new byte[0], Map.of());
            assertThat(sent).isCompletedExceptionally();
            assertThatThrownBy(sent::join).hasCauseInstanceOf(CircuitBreakerOpenException.class)
                    .hasMessageContaining("'redpanda_transport'");
            assertThat(mock.history()).isEmpty();
        }
    }

    @Test
    void theCallbackSendHearsTheAnswerTheRefusalAndTheGatesVetoOnceEach() {
        java.util.List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.apache.kafka.clients.producer.Callback callback = (metadata, error) ->
                heard.add(error == null ? "offset " + metadata.offset() : error.getClass().getSimpleName() + ": " + error.getMessage());
        try (RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false).build()) {
            transport.send(new ProducerRecord<>("trades", "k", new byte[1]), null, callback);
            mock.completeNext();
            transport.send(new ProducerRecord<>("trades", "k", new byte[1]), () -> new IllegalStateException("vetoed"), callback);
            transport.breaker().forceOpen();
            transport.send(new ProducerRecord<>("trades", "k", new byte[1]), null, callback);
        }
        assertThat(heard).hasSize(3);
        assertThat(heard.get(0)).isEqualTo("offset 0");
        assertThat(heard.get(1)).isEqualTo("IllegalStateException: vetoed");
        assertThat(heard.get(2)).startsWith("CircuitBreakerOpenException").contains("'redpanda_transport'");
        assertThat(mock.history()).hasSize(1);
    }

    @Test
    void theCallbackSendHearsWhatTheProducerThrowsAndNeedsACallback() {
        java.util.List<Exception> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false).build()) {
            transport.send(null, null, (metadata, error) -> heard.add(error));
            assertThatThrownBy(() -> transport.send(new ProducerRecord<>("trades", "k", new byte[1]), null, null))
                    .isInstanceOf(NullPointerException.class).hasMessage("callback");
        }
        assertThat(heard).singleElement().isInstanceOf(NullPointerException.class)
                .extracting(Throwable::getMessage).isEqualTo("record");
        assertThat(mock.history()).isEmpty();
    }

    @Test
    void foreignSerializersAreRefused() {
        assertThatThrownBy(() -> RedpandaTransport.builder(Map.of("bootstrap.servers", "localhost:9092",
                "value.serializer", StringSerializer.class.getName())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("value.serializer must be org.apache.kafka.common.serialization.ByteArraySerializer");
    }

    @Test
    void closingTwiceIsHarmless() {
        RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false).build();
        transport.close();
        transport.close();
    }

    private static Map<String, Object> props(Object... more) {
        Map<String, Object> p = new java.util.HashMap<>(Map.of("bootstrap.servers", "127.0.0.1:1"));
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        return p;
    }

    @Test
    void breakwaterKeysOfTheTransportBreakerApply() {
        try (RedpandaTransport transport = RedpandaTransport.builder(props("breakwater.failure.threshold", "2",
                "breakwater.reset.timeout.ms", "5000")).build()) {
            assertThat(transport.breaker().name()).isEqualTo("redpanda_transport");
            assertThat(transport.breaker().config().failureThreshold()).isEqualTo(2);
            assertThat(transport.breaker().config().resetTimeout()).isEqualTo(Duration.ofSeconds(5));
        }
    }

    @Test
    void aMisspeltOrBadBreakwaterKeyFailsNamingIt() {
        assertThatThrownBy(() -> RedpandaTransport.builder(props("breakwater.failure.treshold", "3")))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("breakwater.failure.treshold");
        assertThatThrownBy(() -> RedpandaTransport.builder(props("breakwater.failure.threshold", "abc")))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("breakwater.failure.threshold");
    }

    @Test
    void statusKeysAreRefusedWithWhereTheyBelong() {
        assertThatThrownBy(() -> RedpandaTransport.builder(props("breakwater.status.enabled", "true")))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("breakwater.status.enabled")
                .hasMessageContaining("EventBus.builder(transport).statusPublisher");
        assertThatThrownBy(() -> RedpandaTransport.builder(props("breakwater.control.enabled", "true")))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("breakwater.control.enabled").hasMessageContaining(".controlFollower(...)");
    }

    @Test
    void aRefusedStatusKeyIsNamedWithoutItsValueWhichMayBeASecret() {
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"ops\" password=\"0ps-S3cret\";";
        assertThatThrownBy(() -> RedpandaTransport.builder(props("breakwater.status.sasl.jaas.config", jaas)))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageStartingWith("Configuration breakwater.status.sasl.jaas.config does not apply to a RedpandaTransport")
                .hasMessageNotContaining("0ps-S3cret").hasMessageNotContaining("ScramLoginModule");
        assertThatThrownBy(() -> RedpandaTransport.builder(props("breakwater.status.ssl.keystore.password", "k3ystore-pw")))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("breakwater.status.ssl.keystore.password").hasMessageNotContaining("k3ystore-pw");
    }

    @Test
    void aBadHeaderNameIsRefusedBeforeAnythingIsSent() {
        try (RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false).build()) {
            Map<String, String> headers = new java.util.HashMap<>();
            headers.put("", "x");
            assertThatThrownBy(() -> transport.send("t", "k", new byte[0], headers))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header names must not be null or empty");
            assertThat(mock.history()).isEmpty();
        }
    }

    @Test
    void closeWithATimeoutClosesTheProducerWithIt() {
        RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false).build();
        transport.close(Duration.ZERO);
        assertThat(mock.closed()).isTrue();
        transport.close();
    }

    private static long producerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("kafka-producer-network-thread")).count();
    }

    @Test
    void aBadSettingOnTheBuilderLeavesNoProducerRunning() {
        long before = producerThreads();
        assertThatThrownBy(() -> RedpandaTransport.builder(props()).sendBlockThreshold(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedpandaTransport.builder(props()).inFlightThreshold(null)).isInstanceOf(NullPointerException.class);
        RedpandaTransport.builder(props());   // made and never built
        assertThat(producerThreads()).as("a producer is made only by build()").isEqualTo(before);
    }

    @Test
    void aNegativeCloseTimeoutIsRefusedAndTheTransportCanStillBeClosed() {
        RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false).build();
        assertThatThrownBy(() -> transport.close(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be >= 0, but was PT-1S");
        assertThat(mock.closed()).isFalse();
        transport.close();
        assertThat(mock.closed()).isTrue();
    }

    @Test
    void zeroThresholdsAreRefused() {
        assertThatThrownBy(() -> RedpandaTransport.builder(mock).nonBlocking(false).sendBlockThreshold(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sendBlockThreshold must be > 0, but was PT0S");
    }
}
