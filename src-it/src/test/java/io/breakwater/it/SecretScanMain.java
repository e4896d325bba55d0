package io.breakwater.it;

import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.consumer.GatedConsumer;
import io.breakwater.eventbus.EventBus;
import io.breakwater.interceptors.BreakwaterConfig;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.metrics.BreakerMetrics;
import io.breakwater.metrics.SpillMetrics;
import io.breakwater.spill.JdbcSpillStore;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.state.redis.RedisStateStore;
import io.breakwater.status.ControlFollower;
import io.breakwater.status.KafkaStateStore;
import io.breakwater.status.StatusPublisher;
import io.breakwater.status.StatusReader;
import io.breakwater.transport.redpanda.RedpandaTransport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The guarded paths of {@link SecretScanIT}, run in a JVM of their own so that every logger logs at TRACE to standard
 * output (in the test JVM the loggers exist already, at WARN, writing to a file). Every scenario prints what a user
 * could see of it: the {@code toString()} of each config, producer, transport, bus, store, publisher and reader,
 * snapshots, health, every exception with its causes, the command line's output, and at the end a Prometheus scrape.
 * It reads the client properties (with their secrets) from files of the plan directory ({@code args[0]}), never from
 * its command line, and prints {@code SCENARIO-DONE name} after each scenario ({@code SCENARIO-FAILED name} and the
 * exception if one fails). On a secured cluster ({@code authorization=true} in {@code scan.properties}) the
 * {@code authorization} scenario writes to {@code <prefix>-denied}, which the user may not write.
 */
public final class SecretScanMain {

    /** Every scenario, in order; {@code authorization} only on a cluster with ACLs. */
    static List<String> scenarios(boolean authorization) {
        List<String> scenarios = new ArrayList<>(List.of("wrapper", "interceptor", "eventbus", "status-reader",
                "state-stores", "command-line", "refused-credentials", "consumer", "redis", "metrics"));
        if (authorization) {
            scenarios.add(scenarios.indexOf("consumer"), "authorization");
        }
        return scenarios;
    }

    private static Path plan;
    private static Properties scan;
    private static Map<String, Object> client;
    private static final List<AutoCloseable> OPEN = new ArrayList<>();
    private static final PrometheusMeterRegistry PROMETHEUS = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private static EventBus bus;

    private SecretScanMain() {
    }

    public static void main(String[] args) throws Exception {
        plan = Path.of(args[0]);
        scan = properties("scan.properties");
        client = map(properties("client.properties"));
        BreakerMetrics.of(CircuitBreakerRegistry.global()).bindTo(PROMETHEUS);
        scenario("wrapper", SecretScanMain::wrapper);
        scenario("interceptor", SecretScanMain::interceptor);
        scenario("eventbus", SecretScanMain::eventBus);
        scenario("status-reader", SecretScanMain::statusReader);
        scenario("state-stores", SecretScanMain::stateStores);
        scenario("command-line", SecretScanMain::commandLine);
        scenario("refused-credentials", SecretScanMain::refusedCredentials);
        if (Boolean.parseBoolean(scan.getProperty("authorization"))) {
            scenario("authorization", SecretScanMain::authorization);
        }
        scenario("consumer", SecretScanMain::consumer);
        scenario("redis", SecretScanMain::redis);
        scenario("metrics", () -> show("prometheus scrape", PROMETHEUS.scrape()));
        for (int i = OPEN.size() - 1; i >= 0; i--) {
            try {
                OPEN.get(i).close();
            } catch (Exception e) {
                shown("closing " + OPEN.get(i), e);
            }
        }
        System.out.println("SCAN-END");
        System.out.flush();
        System.exit(0);
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void scenario(String name, Body body) {
        System.out.println("SCENARIO-START " + name);
        try {
            body.run();
            System.out.println("SCENARIO-DONE " + name);
        } catch (Throwable e) {
            System.out.println("SCENARIO-FAILED " + name);
            e.printStackTrace(System.out);
        }
        System.out.flush();
    }

    private static Properties properties(String file) throws Exception {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(plan.resolve(file))) {
            props.load(in);
        }
        return props;
    }

    private static Map<String, Object> map(Properties props) {
        Map<String, Object> map = new HashMap<>();
        props.stringPropertyNames().forEach(k -> map.put(k, props.getProperty(k)));
        return map;
    }

    private static String topic(String name) {
        return scan.getProperty("prefix") + "-" + name;
    }

    private static void show(String what, Object value) {
        System.out.println(">> " + what + ": " + value);
    }

    /** An exception as a user sees it: its message, causes, suppressed exceptions and stack trace. */
    private static void shown(String what, Throwable e) {
        System.out.println(">> " + what + " failed:");
        e.printStackTrace(System.out);
    }

    private static <T extends AutoCloseable> T open(T closeable) {
        OPEN.add(closeable);
        return closeable;
    }

    /** The client properties plus the producer's own and {@code extra}. */
    private static Map<String, Object> producer(Map<String, Object> base, String name, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(base);
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        props.put("client.id", topic(name));
        props.put("max.block.ms", "3000");
        slowMachineThresholds(props);
        props.putAll(extra);
        return props;
    }

    // A first send to a new topic on a busy machine may take seconds: no breaker here is to open for that.
    private static void slowMachineThresholds(Map<String, Object> props) {
        props.put(BreakwaterConfig.IN_FLIGHT_THRESHOLD_MS_CONFIG, "30000");
        props.put(BreakwaterConfig.SEND_BLOCK_THRESHOLD_MS_CONFIG, "30000");
    }

    private static void wrapper() throws Exception {
        Map<String, Object> props = producer(client, "wrapper", Map.of(
                BreakwaterConfig.BREAKER_NAME_CONFIG, topic("wrapper"),
                BreakwaterConfig.STATUS_TOPIC_CONFIG, topic("status"),
                BreakwaterConfig.INSTANCE_ID_CONFIG, topic("instance"),
                BreakwaterConfig.CONTROL_ENABLED_CONFIG, "true",
                BreakwaterConfig.CONTROL_TOPIC_CONFIG, topic("control"),
                BreakwaterConfig.STATUS_HEARTBEAT_MS_CONFIG, "500"));
        show("BreakwaterConfig", new BreakwaterConfig(props));
        KafkaProducer<String, String> kafka = new KafkaProducer<>(props);
        show("KafkaProducer", kafka);
        CircuitBreakerProducer<String, String> wrapped = open(CircuitBreakerProducer.wrap(kafka, props));
        show("wrapper", wrapped);
        for (int i = 0; i < 5; i++) {
            show("sent", wrapped.send(new ProducerRecord<>(topic("data"), "k" + i, "wrapper-" + i)).get(30, TimeUnit.SECONDS));
        }
        CircuitBreaker breaker = wrapped.breaker();
        breaker.forceOpen();
        try {
            wrapped.send(new ProducerRecord<>(topic("data"), "k", "refused")).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            shown("send while FORCED_OPEN", e);
        }
        show("breaker", breaker);
        show("snapshot", breaker.snapshot());
        show("config", breaker.config());
        breaker.reset();
        show("sent after reset", wrapped.send(new ProducerRecord<>(topic("data"), "k", "again")).get(30, TimeUnit.SECONDS));
    }

    private static void interceptor() throws Exception {
        Map<String, Object> props = producer(client, "interceptor", Map.of(
                "interceptor.classes", CircuitBreakerProducerInterceptor.class.getName(),
                BreakwaterConfig.BREAKER_NAME_CONFIG, topic("interceptor"),
                BreakwaterConfig.STATUS_TOPIC_CONFIG, topic("status"),
                BreakwaterConfig.INSTANCE_ID_CONFIG, topic("instance")));
        try (KafkaProducer<String, String> kafka = new KafkaProducer<>(props)) {
            for (int i = 0; i < 5; i++) {
                show("sent", kafka.send(new ProducerRecord<>(topic("data"), "k" + i, "interceptor-" + i)).get(30, TimeUnit.SECONDS));
            }
            CircuitBreaker breaker = CircuitBreakerRegistry.global().get(topic("interceptor")).orElseThrow();
            breaker.forceOpen();
            breaker.reset();
            show("breaker", breaker);
            show("snapshot", breaker.snapshot());
        }
    }

    private static void eventBus() throws Exception {
        Map<String, Object> props = new HashMap<>(client);
        props.put(BreakwaterConfig.BREAKER_NAME_CONFIG, topic("transport"));
        slowMachineThresholds(props);
        if (client.get("sasl.jaas.config") != null) {
            // A status override meant for the status clients: the transport refuses it, naming the key alone.
            Map<String, Object> statusSecret = new HashMap<>(props);
            statusSecret.put("breakwater.status.sasl.jaas.config", client.get("sasl.jaas.config"));
            try {
                RedpandaTransport.builder(statusSecret).build().close();
                System.out.println(">> a transport took breakwater.status.sasl.jaas.config");
            } catch (RuntimeException e) {
                shown("a transport with breakwater.status.sasl.jaas.config", e);
            }
        }
        RedpandaTransport transport = RedpandaTransport.builder(props).build();
        StatusPublisher publisher = open(StatusPublisher.create(client, topic("status"), topic("bus-instance"), Duration.ofMillis(500)));
        show("publisher", publisher);
        Path data = Path.of(scan.getProperty("data"));
        SqliteSpillStore sqlite = SqliteSpillStore.open(data.resolve("spill.db"));
        Properties jdbc = properties("jdbc.properties");
        JdbcSpillStore postgres = JdbcSpillStore.builder(jdbc.getProperty("url"), jdbc.getProperty("user"),
                jdbc.getProperty("password")).table(jdbc.getProperty("table")).open();
        show("sqlite spill", sqlite);
        show("jdbc spill", postgres);
        bus = open(EventBus.builder(transport).statusPublisher(publisher).topicPrefix(scan.getProperty("prefix") + "-")
                .sendBlockThreshold(Duration.ofSeconds(30)).inFlightThreshold(Duration.ofSeconds(30))
                .spill(sqlite).spill("audit", postgres).build());
        SpillMetrics.of(bus).bindTo(PROMETHEUS);
        BreakerMetrics.of(bus.registry()).bindTo(PROMETHEUS);
        show("transport", transport);
        show("bus", bus);
        show("published", bus.publishStream("orders", Map.of("id", 1)).get(30, TimeUnit.SECONDS));
        show("published", bus.publishStream("audit", Map.of("id", 2)).get(30, TimeUnit.SECONDS));
        bus.transportBreaker().forceOpen();
        show("spilled", bus.publishStream("orders", Map.of("id", 3)).get(30, TimeUnit.SECONDS));
        show("spilled", bus.publishStream("audit", Map.of("id", 4)).get(30, TimeUnit.SECONDS));
        show("health while open", bus.health().toJson());
        bus.transportBreaker().reset();
        await().atMost(Duration.ofSeconds(30)).until(() -> bus.spillStatus().stream().allMatch(s -> s.pending() == 0));
        show("health", bus.health().toJson());
        show("status", bus.circuitBreakerStatus());
        show("spill status", bus.spillStatus());
    }

    private static void statusReader() throws Exception {
        try (StatusReader reader = StatusReader.start(client, topic("status"))) {
            show("caught up", reader.awaitCaughtUp(Duration.ofSeconds(20)));
            show("reader", reader);
            show("fleet", reader.fleetEntries(true));
            show("events", reader.fleetView());
            show("instances", reader.instances());
        }
    }

    private static void stateStores() throws Exception {
        KafkaStateStore store = KafkaStateStore.create(client, topic("status"), topic("instance"), Duration.ofSeconds(10));
        show("kafka state store", store);
        show("loaded", store.load(topic("wrapper")));
        ControlFollower follower = open(ControlFollower.create(client, topic("control"), topic("instance")));
        show("control follower", follower);
    }

    private static void commandLine() throws Exception {
        String config = plan.resolve("client.properties").toString();
        String bootstrap = String.valueOf(client.get("bootstrap.servers"));
        show("status", CliRun.of("status", "--bootstrap-server", bootstrap, "--command-config", config,
                "--topic", topic("status"), "--all", "--timeout", "10s"));
        show("status --json", CliRun.of("status", "--bootstrap-server", bootstrap, "--command-config", config,
                "--topic", topic("status"), "--json", "--timeout", "10s"));
        show("force-open", CliRun.of("force-open", topic("wrapper"), "--bootstrap-server", bootstrap, "--command-config",
                config, "--topic", topic("control"), "--status-topic", topic("status"), "--by", "secret-scan", "--timeout", "10s"));
        show("reset", CliRun.of("reset", topic("wrapper"), "--bootstrap-server", bootstrap, "--command-config", config,
                "--topic", topic("control"), "--status-topic", topic("status"), "--by", "secret-scan", "--timeout", "10s"));
        String refused = plan.resolve("refused.properties").toString();
        show("status, credentials refused", CliRun.of("status", "--bootstrap-server", bootstrap, "--command-config", refused,
                "--topic", topic("status"), "--timeout", "2s"));
    }

    private static void refusedCredentials() throws Exception {
        Map<String, Object> refused = map(properties("refused.properties"));
        Map<String, Object> props = producer(refused, "refused", Map.of(
                BreakwaterConfig.BREAKER_NAME_CONFIG, topic("refused"), BreakwaterConfig.STATUS_ENABLED_CONFIG, "false"));
        // Closed once used: a producer whose login fails tries again every second, a TLS handshake each time.
        try (CircuitBreakerProducer<String, String> wrapped = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props)) {
            for (int i = 0; i < 3; i++) {
                try {
                    show("sent?", wrapped.send(new ProducerRecord<>(topic("data"), "k", "refused-" + i)).get(30, TimeUnit.SECONDS));
                } catch (Exception e) {
                    shown("send with refused credentials", e);
                }
            }
            show("breaker", wrapped.breaker().snapshot());
        }
        Map<String, Object> observed = producer(refused, "refused-interceptor", Map.of(
                "interceptor.classes", CircuitBreakerProducerInterceptor.class.getName(),
                BreakwaterConfig.BREAKER_NAME_CONFIG, topic("refused-interceptor"), BreakwaterConfig.STATUS_ENABLED_CONFIG, "false"));
        try (KafkaProducer<String, String> kafka = new KafkaProducer<>(observed)) {
            for (int i = 0; i < 2; i++) {
                try {
                    kafka.send(new ProducerRecord<>(topic("data"), "k", "refused")).get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    shown("interceptor's send with refused credentials", e);
                }
            }
        }
        Map<String, Object> transportProps = new HashMap<>(refused);
        transportProps.put(BreakwaterConfig.BREAKER_NAME_CONFIG, topic("refused-transport"));
        transportProps.put("client.id", topic("refused-transport"));
        try (EventBus refusedBus = EventBus.builder(RedpandaTransport.builder(transportProps).build())
                .topicPrefix(scan.getProperty("prefix") + "-").build()) {
            for (int i = 0; i < 3; i++) {
                try {
                    refusedBus.publishStream("orders", Map.of("id", i)).get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    shown("publish with refused credentials", e);
                }
            }
            show("refused bus breakers", refusedBus.channelBreaker("orders").state() + " " + refusedBus.transportBreaker().state());
        }
        StatusPublisher publisher = StatusPublisher.create(refused, topic("status"), topic("refused-instance"));
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder(topic("refused-status")).build());
        publisher.attach(breaker);
        breaker.forceOpen();
        await().atMost(Duration.ofSeconds(20)).until(() -> publisher.failedAttempts() > 0);
        show("status published with refused credentials", publisher.flush(Duration.ZERO));
        show("status publisher", publisher + ", last error " + publisher.lastError() + ", pending " + publisher.pending());
        publisher.close(Duration.ZERO);
    }

    /**
     * The user may not write {@code <prefix>-denied}: the wrapper's, the interceptor's and the bus's sends to it fail
     * with {@code TopicAuthorizationException}, no breaker opens, and a status publisher given it as its topic logs that
     * once at ERROR.
     */
    private static void authorization() throws Exception {
        Map<String, Object> props = producer(client, "denied-wrapper", Map.of(
                BreakwaterConfig.BREAKER_NAME_CONFIG, topic("denied-wrapper"), BreakwaterConfig.STATUS_ENABLED_CONFIG, "false"));
        Map<String, Object> observed = producer(client, "denied-interceptor", Map.of(
                "interceptor.classes", CircuitBreakerProducerInterceptor.class.getName(),
                BreakwaterConfig.BREAKER_NAME_CONFIG, topic("denied-interceptor"), BreakwaterConfig.STATUS_ENABLED_CONFIG, "false"));
        try (CircuitBreakerProducer<String, String> wrapped = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props);
             KafkaProducer<String, String> intercepted = new KafkaProducer<>(observed)) {
            String denied = topic("denied");
            for (int i = 0; i < 2; i++) {
                try {
                    show("sent?", wrapped.send(new ProducerRecord<>(denied, "k", "denied-" + i)).get(30, TimeUnit.SECONDS));
                } catch (Exception e) {
                    shown("send to a topic the user may not write", e);
                }
                try {
                    show("sent?", intercepted.send(new ProducerRecord<>(denied, "k", "denied-" + i)).get(30, TimeUnit.SECONDS));
                } catch (Exception e) {
                    shown("interceptor's send to a topic the user may not write", e);
                }
                try {
                    show("published?", bus.publishStream("denied", Map.of("id", i)).get(30, TimeUnit.SECONDS));
                } catch (Exception e) {
                    shown("publish to a topic the user may not write", e);
                }
            }
            CircuitBreaker interceptorBreaker = CircuitBreakerRegistry.global().get(topic("denied-interceptor")).orElseThrow();
            show("denied breakers", wrapped.breaker().state() + " " + interceptorBreaker.state() + " "
                    + bus.channelBreaker("denied").state() + " " + bus.transportBreaker().state());
            show("denied bus health", bus.health().toJson());
        }
        StatusPublisher publisher = StatusPublisher.create(client, topic("denied"), topic("denied-instance"));
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder(topic("denied-status")).build());
        publisher.attach(breaker);
        breaker.forceOpen();
        await().atMost(Duration.ofSeconds(20)).until(() -> publisher.failedAttempts() > 0);
        show("status published to a topic the user may not write", publisher.flush(Duration.ZERO));
        show("status publisher", publisher + ", last error " + publisher.lastError() + ", pending " + publisher.pending());
        publisher.close(Duration.ZERO);
    }

    private static void consumer() throws Exception {
        Map<String, Object> props = new HashMap<>(client);
        props.put("group.id", topic("group"));
        props.put("auto.offset.reset", "earliest");
        AtomicInteger handled = new AtomicInteger();
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder(topic("consumer")).build());
        try (GatedConsumer<String, String> consumer = GatedConsumer.builder(props, new StringDeserializer(),
                new StringDeserializer(), breaker).topics(topic("data")).recordHandler(r -> handled.incrementAndGet()).build()) {
            consumer.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() >= 5);
            show("consumer", consumer);
            show("consumer stats", consumer.stats());
        }
        Map<String, Object> refused = map(properties("refused.properties"));
        refused.put("group.id", topic("refused-group"));
        try (GatedConsumer<String, String> consumer = GatedConsumer.builder(refused, new StringDeserializer(),
                new StringDeserializer(), CircuitBreaker.of(CircuitBreakerConfig.builder(topic("refused-consumer")).build()))
                .topics(topic("data")).recordHandler(r -> { }).build()) {
            consumer.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.failure().isPresent());
            shown("consumer with refused credentials", consumer.failure().get());
        }
    }

    private static void redis() throws Exception {
        Properties redis = properties("redis.properties");
        try (RedisStateStore store = RedisStateStore.fromUri(redis.getProperty("good"))) {
            show("redis store", store);
            CircuitBreaker breaker = CircuitBreakerRegistry.global().getOrCreate(topic("redis"),
                    CircuitBreakerConfig.builder(topic("redis")).stateStore(store).build());
            breaker.forceOpen();
            await().atMost(Duration.ofSeconds(10)).until(() -> store.load(topic("redis")).isPresent());
            show("loaded", store.load(topic("redis")));
            breaker.reset();
        }
        try (RedisStateStore wrong = RedisStateStore.fromUri(redis.getProperty("wrong"))) {
            CircuitBreaker breaker = CircuitBreakerRegistry.global().getOrCreate(topic("redis-wrong"),
                    CircuitBreakerConfig.builder(topic("redis-wrong")).stateStore(wrong).build());
            breaker.forceOpen();
            await().atMost(Duration.ofSeconds(10)).until(() -> breaker.storeErrors() >= 2);
            show("store errors", breaker.storeErrors());
            wrong.load("x");
        } catch (Exception e) {
            shown("wrong password", e);
        }
        for (String key : redis.stringPropertyNames()) {
            if (key.startsWith("malformed.")) {
                try {
                    RedisStateStore.fromUri(redis.getProperty(key)).close();
                    show(key, "accepted");
                } catch (Exception e) {
                    shown(key, e);
                }
            }
        }
        if (redis.getProperty("tls") != null) {
            try (RedisStateStore tls = RedisStateStore.builder(redis.getProperty("tls")).sslContext(trusting(Path.of(
                    redis.getProperty("tls.ca")))).build()) {
                tls.save(topic("redis-tls"), new io.breakwater.breaker.PersistedState(
                        io.breakwater.breaker.CircuitBreakerState.OPEN, java.time.Instant.now(), null, "scan"));
                show("loaded over TLS", tls.load(topic("redis-tls")));
            }
            try (RedisStateStore untrusted = RedisStateStore.fromUri(redis.getProperty("tls"))) {
                untrusted.load("x");
            } catch (Exception e) {
                shown("untrusted certificate", e);
            }
        }
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
