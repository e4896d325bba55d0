package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.eventbus.SpillStatus;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.status.StatusEvent;
import io.breakwater.status.StatusPublisher;
import io.breakwater.status.StatusReader;
import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.testkit.KafkaSecurity;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every front door on a secured cluster (SASL_SSL, SCRAM-SHA-512, ACLs; one cluster for the class): the wrapper, the
 * interceptor, {@code RedpandaTransport} and the {@code EventBus} publish and are acknowledged as user {@code app},
 * whose ACLs allow the {@code sec-} topics only; the status publisher writes the transitions and a status reader given
 * the producer's own properties reads them; the state saved on the status topic is loaded at the next start; the CLI
 * reads the status topic with {@code --command-config}; events spilled while the cluster is cut off are replayed to it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredClusterIT {

    private static final String APP = "app";
    private static final String APP_PASSWORD = "app-Secret-7431";
    private static final String STATUS = "sec-status";
    private static final String DATA = "sec-data";
    private static final String ORDERS = "sec-orders";
    private static final String SPILLED = "sec-spilled";

    private static EmbeddedKafkaCluster kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        KafkaSecurity security = KafkaSecurity.builder()
                .user(APP, APP_PASSWORD)
                .allowTopicPrefix(APP, "sec-", AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE,
                        AclOperation.DESCRIBE_CONFIGS, AclOperation.CREATE)
                .build();
        kafka = EmbeddedKafkaCluster.builder().secured(security).start();
        Secured.createTopics(kafka, DATA, ORDERS, SPILLED);
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Map<String, Object> guarded(String breaker, String instance) {
        Map<String, Object> props = Secured.producerProps(kafka, APP);
        props.put("breakwater.breaker.name", breaker);
        props.put("breakwater.instance.id", instance);
        props.put("breakwater.status.topic", STATUS);
        return props;
    }

    /** The newest status event of {@code instance/breaker}, read with {@code client} once it is {@code state}. */
    private static StatusEvent awaitStatus(Map<String, Object> client, String instance, String breaker,
                                           CircuitBreakerState state) throws Exception {
        try (StatusReader reader = StatusReader.start(client, STATUS)) {
            String key = instance + "/" + breaker;
            await(key + " " + state + " on the status topic").atMost(Duration.ofSeconds(30))
                    .until(() -> reader.fleet().containsKey(key) && reader.fleet().get(key).to() == state);
            return reader.fleet().get(key);
        }
    }

    @Test
    @Order(1)
    void theWrapperPublishesAndIsAcknowledged() throws Exception {
        Map<String, Object> props = guarded("sec-wrapper", "sec-wrapper-it");
        try (CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                acks.add(producer.send(new ProducerRecord<>(DATA, "k" + i, "v" + i)));
            }
            for (Future<RecordMetadata> ack : acks) {
                assertThat(ack.get(30, TimeUnit.SECONDS).topic()).isEqualTo(DATA);
            }
            assertThat(producer.breaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
            // The status reader takes bootstrap and security from the producer's properties.
            assertThat(awaitStatus(props, "sec-wrapper-it", "sec-wrapper", CircuitBreakerState.CLOSED).kind())
                    .isEqualTo(StatusEvent.Kind.STARTED);
        }
    }

    @Test
    @Order(2)
    void theInterceptorObservesAndItsTransitionsReachTheStatusTopic() throws Exception {
        Map<String, Object> props = guarded("sec-interceptor", "sec-interceptor-it");
        props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            assertThat(producer.send(new ProducerRecord<>(DATA, "k", "v")).get(30, TimeUnit.SECONDS).topic()).isEqualTo(DATA);
            CircuitBreaker breaker = CircuitBreakerRegistry.global().get("sec-interceptor").orElseThrow();
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
            breaker.forceOpen();
            StatusEvent forced = awaitStatus(props, "sec-interceptor-it", "sec-interceptor", CircuitBreakerState.FORCED_OPEN);
            assertThat(forced.from()).isEqualTo(CircuitBreakerState.CLOSED);
            breaker.reset();
        }
    }

    @Test
    @Order(3)
    void theTransportAndTheEventBusPublishAndAreAcknowledged() throws Exception {
        Map<String, Object> client = kafka.clientConfig(APP);
        try (StatusPublisher status = StatusPublisher.create(client, STATUS, "sec-bus-it");
             EventBus bus = EventBus.builder(RedpandaTransport.builder(client).build()).statusPublisher(status).build()) {
            List<CompletableFuture<PublishResult>> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                results.add(bus.publishStream(ORDERS, "order-" + (i % 4), Map.of("n", i), Map.of()));
            }
            for (CompletableFuture<PublishResult> result : results) {
                PublishResult published = result.get(30, TimeUnit.SECONDS);
                assertThat(published.acknowledged()).isTrue();
                assertThat(published.topic()).isEqualTo(ORDERS);
            }
            assertThat(bus.channelBreaker(ORDERS).state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(bus.transportBreaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
            awaitStatus(client, "sec-bus-it", bus.channelBreaker(ORDERS).name(), CircuitBreakerState.CLOSED);
        }
        try (RedpandaTransport transport = RedpandaTransport.builder(client).build()) {
            RecordMetadata sent = transport.send(ORDERS, "k", "direct".getBytes(StandardCharsets.UTF_8), Map.of("h", "1"))
                    .get(30, TimeUnit.SECONDS);
            assertThat(sent.topic()).isEqualTo(ORDERS);
        }
    }

    @Test
    @Order(4)
    void theStateSavedOnTheStatusTopicIsLoadedAtTheNextStart() throws Exception {
        Map<String, Object> props = guarded("sec-restored", "sec-restore-it");
        props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
        props.put("breakwater.reset.timeout.ms", "60000");
        try (KafkaProducer<String, String> first = new KafkaProducer<>(props)) {
            first.send(new ProducerRecord<>(DATA, "k", "v")).get(30, TimeUnit.SECONDS);
            CircuitBreaker breaker = CircuitBreakerRegistry.global().get("sec-restored").orElseThrow();
            for (int i = 0; i < 5; i++) {
                breaker.recordFailure("broker unreachable");
            }
            assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        }
        awaitStatus(props, "sec-restore-it", "sec-restored", CircuitBreakerState.OPEN);
        CircuitBreakerRegistry.global().remove("sec-restored");
        try (KafkaProducer<String, String> second = new KafkaProducer<>(props)) {
            assertThat(CircuitBreakerRegistry.global().get("sec-restored").orElseThrow().state())
                    .as("restored from the status topic, read as " + APP).isEqualTo(CircuitBreakerState.OPEN);
        }
        CircuitBreakerRegistry.global().remove("sec-restored");
    }

    @Test
    @Order(5)
    void theCliReadsTheStatusTopicWithCommandConfig() throws Exception {
        Map<String, Object> client = kafka.clientConfig(APP);
        try (StatusPublisher status = StatusPublisher.create(client, STATUS, "sec-cli-it")) {
            status.attach(CircuitBreaker.of(CircuitBreakerConfig.builder("sec-cli-breaker").build()));
            assertThat(status.flush(Duration.ofSeconds(30))).isTrue();
        }
        Path file = Secured.commandConfig(dir, client);
        CliRun run = CliRun.of("status", "--bootstrap-server", kafka.bootstrapServers(), "--topic", STATUS,
                "--command-config", file.toString(), "--all", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("sec-cli-it").contains("sec-cli-breaker");

        Map<String, Object> wrong = kafka.security().orElseThrow().clientConfig(APP, "not-the-password");
        Path dir2 = java.nio.file.Files.createDirectories(dir.resolve("wrong"));
        CliRun refused = CliRun.of("status", "--bootstrap-server", kafka.bootstrapServers(), "--topic", STATUS,
                "--command-config", Secured.commandConfig(dir2, wrong).toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("authentication failed").contains("--command-config")
                .doesNotContain("not-the-password").doesNotContain(APP_PASSWORD);
    }

    @Test
    @Order(100) // last: it cuts the cluster off
    @Timeout(120)
    void eventsSpilledWhileTheClusterIsCutOffAreReplayedToIt() throws Exception {
        Map<String, Object> client = new HashMap<>(kafka.clientConfig(APP));
        client.put("breakwater.reset.timeout.ms", "1000");
        CircuitBreakerConfig channel = CircuitBreakerConfig.builder("channel").resetTimeout(Duration.ofSeconds(1)).build();
        try (EventBus bus = EventBus.builder(RedpandaTransport.builder(client).build()).defaultChannelConfig(channel)
                .spill(SqliteSpillStore.open(dir.resolve("spill.db"))).build()) {
            assertThat(bus.publishStream(SPILLED, "k", Map.of("n", -1), Map.of()).get(30, TimeUnit.SECONDS).acknowledged())
                    .isTrue();
            Set<String> spilled = new HashSet<>();
            List<CompletableFuture<PublishResult>> results = new ArrayList<>();
            kafka.cutAll();
            try {
                // The first event is in flight when the breakers open (it is acknowledged once the cluster is back);
                // the ones published while they are open are spilled at once.
                results.add(bus.publishStream(SPILLED, "k", Map.of("n", 0), Map.of()));
                await("a breaker to open").atMost(Duration.ofSeconds(15)).until(() ->
                        bus.transportBreaker().state() != CircuitBreakerState.CLOSED
                                || bus.channelBreaker(SPILLED).state() != CircuitBreakerState.CLOSED);
                for (int i = 1; i <= 30; i++) {
                    results.add(bus.publishStream(SPILLED, "k" + (i % 3), Map.of("n", i), Map.of()));
                }
                for (CompletableFuture<PublishResult> result : results.subList(1, results.size())) {
                    PublishResult r = result.get(30, TimeUnit.SECONDS);
                    assertThat(r.spilled()).as("published while a breaker is open: spilled").isTrue();
                    spilled.add(r.eventId());
                }
            } finally {
                kafka.passAll();
            }
            assertThat(results.get(0).get(60, TimeUnit.SECONDS).eventId()).isNotNull();
            await("the spill replayed").atMost(Duration.ofSeconds(60))
                    .until(() -> bus.spillStatus().stream().mapToLong(SpillStatus::pending).sum() == 0);
            Set<String> onTopic = new HashSet<>();
            for (ConsumerRecord<String, String> r : Secured.read(kafka, SPILLED, 33)) {
                Header id = r.headers().lastHeader(EventBus.EVENT_ID_HEADER);
                if (id != null) {
                    onTopic.add(new String(id.value(), StandardCharsets.UTF_8));
                }
            }
            assertThat(onTopic).containsAll(spilled);
            assertThat(spilled).hasSize(30);
        }
    }
}
