package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.testkit.RealBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The wrapping producer on a real broker: (b) fast rejection, (c) caller errors, (d) outcomes unchanged. */
@RealBroker(faults = true)
@Timed
class WrapperIT {

    private EmbeddedKafkaCluster kafka;

    @AfterEach
    void heal() {
        if (kafka != null) {
            kafka.passAll();
        }
    }

    private static CircuitBreaker breaker() {
        return CircuitBreaker.of(CircuitBreakerConfig.builder("wrapper-" + UUID.randomUUID())
                .resetTimeout(Duration.ofSeconds(60)).build());
    }

    @Test
    void onceOpenAThousandSendsFailInUnderASecondWhileAPlainProducerBlocks(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        kafka.createTopic("fast-fail");
        CircuitBreaker breaker = breaker();
        try (CircuitBreakerProducer<String, String> guarded =
                     CircuitBreakerProducer.wrap(Records.producer(kafka.bootstrapServers(), Map.of()), breaker);
             KafkaProducer<String, String> plain = Records.producer(kafka.bootstrapServers(),
                     Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000))) {
            guarded.send(new ProducerRecord<>("fast-fail", "k", "warm-up")).get(30, TimeUnit.SECONDS);

            kafka.blackHoleAll();
            long faultAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                guarded.send(new ProducerRecord<>("fast-fail", "k", "during"));
                return breaker.state() == CircuitBreakerState.OPEN;
            });
            assertThat(Duration.ofNanos(System.nanoTime() - faultAt)).isLessThan(Duration.ofSeconds(5));

            long start = System.nanoTime();
            List<Future<RecordMetadata>> rejected = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                rejected.add(guarded.send(new ProducerRecord<>("fast-fail", "k", "rejected-" + i)));
            }
            Duration thousand = Duration.ofNanos(System.nanoTime() - start);
            assertThat(thousand).isLessThan(Duration.ofSeconds(1));
            for (Future<RecordMetadata> f : rejected) {
                assertThat(f.isDone()).isTrue();
                assertThatThrownBy(f::get).hasCauseInstanceOf(CircuitBreakerOpenException.class);
            }

            // The same moment, a plain producer's send to a topic it has no metadata for blocks for max.block.ms.
            long plainStart = System.nanoTime();
            assertThatThrownBy(() -> plain.send(new ProducerRecord<>("never-seen", "k", "v")).get())
                    .hasCauseInstanceOf(TimeoutException.class);
            Duration plainBlocked = Duration.ofNanos(System.nanoTime() - plainStart);
            assertThat(plainBlocked).isGreaterThan(Duration.ofMillis(4_500));
            assertThat(plainBlocked).as("one plain send blocks longer than a thousand rejections take, 10x over")
                    .isGreaterThan(thousand.multipliedBy(10));
            // Heal before the producers close: close() waits for records in flight.
            kafka.passAll();
        }
    }

    @Test
    void serializationAndRecordTooLargeDoNotOpenTheBreaker(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        kafka.createTopic("caller-errors");
        CircuitBreaker breaker = breaker();
        Map<String, Object> config = Records.producerConfig(kafka.bootstrapServers());
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_048);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, PickySerializer.class);
        try (CircuitBreakerProducer<String, String> guarded = CircuitBreakerProducer.wrap(new KafkaProducer<>(config), breaker)) {
            for (int i = 0; i < 10; i++) {
                assertThatThrownBy(() -> guarded.send(new ProducerRecord<>("caller-errors", "k", "unserializable")))
                        .isInstanceOf(SerializationException.class);
                Future<RecordMetadata> tooLarge = guarded.send(new ProducerRecord<>("caller-errors", "k", "x".repeat(10_000)));
                assertThatThrownBy(() -> tooLarge.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(RecordTooLargeException.class);
            }
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(breaker.snapshot().ignoredCalls()).isEqualTo(20);
            assertThat(breaker.snapshot().failedCalls()).isZero();
            guarded.send(new ProducerRecord<>("caller-errors", "k", "fine")).get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A record for a partition its topic does not have: Kafka's send() waits max.block.ms for it to appear, on a cluster
     * that answers. One caller thread, nothing else sent: the watchdog must not take that wait for a dead cluster.
     */
    @Test
    void aPartitionTheTopicDoesNotHaveNeitherStallsNorCounts(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        kafka.createTopic("own-partition");
        CircuitBreaker breaker = breaker();
        try (CircuitBreakerProducer<String, String> guarded = CircuitBreakerProducer.wrap(
                Records.producer(kafka.bootstrapServers(), Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 4_000)), breaker)) {
            guarded.send(new ProducerRecord<>("own-partition", "k", "warm-up")).get(30, TimeUnit.SECONDS);
            int partitions = guarded.partitionsFor("own-partition").size();

            java.util.concurrent.CompletableFuture<Future<RecordMetadata>> bad = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> guarded.send(new ProducerRecord<>("own-partition", partitions + 6, "k", "bad")));

            // Past the in-flight threshold (2 s), with nothing else sent: no stall.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> breaker.state() == CircuitBreakerState.CLOSED);
            assertThatThrownBy(() -> bad.get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TimeoutException.class)
                    .hasMessageContaining("with partition count " + partitions);
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(breaker.snapshot().failedCalls()).isZero();
            guarded.send(new ProducerRecord<>("own-partition", "k", "fine")).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theInterceptorDoesNotCountCallerErrorsEither(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        kafka.createTopic("caller-errors-intercepted");
        String name = "intercepted-" + UUID.randomUUID();
        Map<String, Object> config = Records.producerConfig(kafka.bootstrapServers());
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_048);
        config.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
        config.put("breakwater.breaker.name", name);
        config.put("breakwater.status.enabled", "false");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            for (int i = 0; i < 10; i++) {
                Future<RecordMetadata> tooLarge = producer.send(new ProducerRecord<>("caller-errors-intercepted", "k", "x".repeat(10_000)));
                assertThatThrownBy(() -> tooLarge.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(RecordTooLargeException.class);
            }
            CircuitBreaker breaker = io.breakwater.breaker.CircuitBreakerRegistry.global().get(name).orElseThrow();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(breaker.snapshot().ignoredCalls()).isEqualTo(10);
        }
    }

    @Test
    void theWrapperNeverChangesAnOutcomeAndRejectedRecordsNeverReachTheBroker(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        kafka.createTopic("outcomes");
        CircuitBreaker breaker = breaker();
        Map<String, Object> overrides = new HashMap<>();
        overrides.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_048);
        List<Object> callbackSaw = new CopyOnWriteArrayList<>();
        try (CircuitBreakerProducer<String, String> guarded =
                     CircuitBreakerProducer.wrap(Records.producer(kafka.bootstrapServers(), overrides), breaker)) {
            List<Future<RecordMetadata>> acked = new ArrayList<>();
            List<RecordMetadata> viaCallback = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 100; i++) {
                acked.add(guarded.send(new ProducerRecord<>("outcomes", "k", "acked-" + i), (m, e) -> viaCallback.add(m)));
            }
            Set<Long> ackedOffsets = new java.util.TreeSet<>();
            for (Future<RecordMetadata> f : acked) {
                RecordMetadata m = f.get(30, TimeUnit.SECONDS);
                assertThat(m.hasOffset()).isTrue();
                ackedOffsets.add(m.offset());
            }
            assertThat(viaCallback.stream().map(RecordMetadata::offset).collect(Collectors.toSet())).isEqualTo(ackedOffsets);

            Future<RecordMetadata> failed = guarded.send(new ProducerRecord<>("outcomes", "k", "y".repeat(10_000)),
                    (m, e) -> callbackSaw.add(e));
            ExecutionException viaFuture = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, failed::get);
            assertThat(viaFuture.getCause()).isInstanceOf(RecordTooLargeException.class).isSameAs(callbackSaw.get(0));

            breaker.forceOpen();
            for (int i = 0; i < 50; i++) {
                Future<RecordMetadata> f = guarded.send(new ProducerRecord<>("outcomes", "k", "rejected-" + i));
                assertThatThrownBy(f::get).hasCauseInstanceOf(CircuitBreakerOpenException.class);
            }
            breaker.reset();
            guarded.send(new ProducerRecord<>("outcomes", "k", "after-reset")).get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, String>> onTheTopic = Records.consume(kafka.bootstrapServers(), "outcomes", 101);
        assertThat(onTheTopic).hasSize(101);
        assertThat(onTheTopic).extracting(ConsumerRecord::value).noneMatch(v -> v.startsWith("rejected-"))
                .contains("acked-0", "acked-99", "after-reset");
    }

    /** A serializer that refuses one value, as a caller's bug would. */
    public static final class PickySerializer extends StringSerializer {
        @Override
        public byte[] serialize(String topic, String data) {
            if ("unserializable".equals(data)) {
                throw new SerializationException("cannot serialize '" + data + "'");
            }
            return super.serialize(topic, data);
        }
    }

    @Test
    void aForcedCloseWithRecordsInFlightLeavesTheBreakerClosedAndReturnsAtOnce(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        kafka.createTopic("forced-close");
        String name = "forced-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> props = Records.producerConfig(kafka.bootstrapServers());
        props.put("breakwater.breaker.name", name);
        props.put("breakwater.instance.id", "forced-close-it");
        props.put("breakwater.state.restore", "false");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1_000);
        CircuitBreakerProducer<String, String> guarded = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props);
        guarded.send(new ProducerRecord<>("forced-close", "k", "warm-up")).get(30, TimeUnit.SECONDS);
        kafka.blackHoleAll();
        guarded.breaker().forceOpen();   // a status event the black-holed cluster will never take
        guarded.breaker().reset();
        for (int i = 0; i < 10; i++) {
            guarded.send(new ProducerRecord<>("forced-close", "k", "lingering-" + i));
        }

        long start = System.nanoTime();
        guarded.close(Duration.ZERO);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).as("about 12 s before the fix; a margin of 10x").isLessThan(Duration.ofMillis(1_200));
        assertThat(guarded.breaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(guarded.breaker().snapshot().failedCalls()).isZero();
    }

    @Test
    void aForcedCloseDoesNotOpenTheInterceptorsBreakerEither(EmbeddedKafkaCluster kafka) throws Exception {
        this.kafka = kafka;
        kafka.createTopic("forced-close-interceptor");
        String name = "forced-i-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> props = Records.producerConfig(kafka.bootstrapServers());
        props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, io.breakwater.interceptors.CircuitBreakerProducerInterceptor.class.getName());
        props.put("breakwater.breaker.name", name);
        props.put("breakwater.status.enabled", "false");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1_000);
        KafkaProducer<String, String> producer = new KafkaProducer<>(props);
        producer.send(new ProducerRecord<>("forced-close-interceptor", "k", "warm-up")).get(30, TimeUnit.SECONDS);
        kafka.blackHoleAll();
        for (int i = 0; i < 10; i++) {
            producer.send(new ProducerRecord<>("forced-close-interceptor", "k", "lingering-" + i));
        }
        producer.close(Duration.ZERO);
        CircuitBreaker breaker = io.breakwater.breaker.CircuitBreakerRegistry.global().get(name).orElseThrow();
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
        assertThat(breaker.snapshot().failedCalls()).isZero();
        assertThat(breaker.snapshot().ignoredCalls()).as("the records failed by the close").isEqualTo(10);
    }
}
