package io.breakwater.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.interceptors.KafkaClientVersion;
import io.breakwater.testkit.ForkedKafkaBroker;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Collection;
import java.util.stream.IntStream;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.TopicPartitionOffset;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.kafka.transaction.KafkaTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The starter against a real broker in its own JVM (Kafka 4.4), with the kafka-clients that Boot 4.0 manages in
 * this JVM: the guarded {@code KafkaTemplate}, the EventBus and the status publisher, and a listener gate
 * ({@code breakwater.listeners.orders.pause-on=db}: a {@code @KafkaListener} that writes to a "database" behind
 * the breaker {@code db}).
 */
class StarterIT {

    private static ForkedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = ForkedKafkaBroker.start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BreakwaterAutoConfiguration.class, KafkaAutoConfiguration.class))
                .withPropertyValues("spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                        "spring.kafka.producer.properties.max.block.ms=60000",
                        "breakwater.breaker.reset-timeout=3s");
    }

    @Test
    void runsOnTheKafkaClientsBootManages() {
        // 4.1.2 for Boot 4.0.7; 4.2.2 for Boot 4.1.2 (-Pboot-4.1). Set by the build.
        assertThat(KafkaClientVersion.current()).isEqualTo(System.getProperty("starter.kafka.version"))
                .isNotEqualTo("4.4.0");
    }

    @Test
    void theTemplateFailsFastWhileTheFrozenBrokerKeepsTheBreakerOpenAndSendsAgainAfterResume() throws Exception {
        String topic = newTopic("guard");
        runner().run(context -> {
            @SuppressWarnings("unchecked")
            KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
            CircuitBreaker breaker = context.getBean(BreakwaterBreakers.class).breaker("kafka-template");
            template.send(topic, "k", "before").get(30, TimeUnit.SECONDS);
            broker.freeze();
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> {
                    sendIgnoringRefusal(template, topic, "frozen");
                    return breaker.state().rejectsCalls();
                });
                await().atMost(Duration.ofSeconds(10)).until(() -> breaker.state() == CircuitBreakerState.OPEN);
                long start = System.nanoTime();
                assertThatThrownBy(() -> template.send(topic, "k", "refused"))
                        .isInstanceOf(KafkaException.class).hasCauseInstanceOf(CircuitBreakerOpenException.class);
                // Kafka's producer alone would block up to max.block.ms (60 s) here.
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
            } finally {
                broker.resume();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                sendIgnoringRefusal(template, topic, "after");
                return breaker.state() == CircuitBreakerState.CLOSED;
            });
            template.send(topic, "k", "closed").get(30, TimeUnit.SECONDS);
        });
    }

    @Test
    void aTransactionalTemplateCommitsAndAbortsThroughTheGuard() throws Exception {
        String topic = newTopic("guard-tx");
        runner().withPropertyValues("spring.kafka.producer.transaction-id-prefix=guard-tx-",
                "breakwater.guard.breaker-name=tx-out").run(context -> {
            @SuppressWarnings("unchecked")
            KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
            assertThat(template.isTransactional()).isTrue();
            template.executeInTransaction(t -> t.send(topic, "k", "committed"));
            assertThatThrownBy(() -> template.executeInTransaction(t -> {
                t.send(topic, "k", "aborted");
                throw new IllegalStateException("roll back");
            })).isInstanceOf(IllegalStateException.class);
            template.executeInTransaction(t -> t.send(topic, "k", "last"));
            assertThat(readCommitted(topic, "last")).containsExactly("committed", "last");
            CircuitBreaker breaker = context.getBean(BreakwaterBreakers.class).breaker("tx-out");
            assertThat(breaker.callStats().successful()).as("sends went through the guard").isGreaterThanOrEqualTo(2);
        });
    }

    @Test
    void aSendTheBreakerRefusesInsideATransactionAbortsItEvenWhenTheCallerCarriesOn() throws Exception {
        String topic = newTopic("guard-tx-refused");
        runner().withPropertyValues("spring.kafka.producer.transaction-id-prefix=refused-tx-",
                "breakwater.guard.breaker-name=tx-refused").run(context -> {
            @SuppressWarnings("unchecked")
            KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
            CircuitBreaker breaker = context.getBean(BreakwaterBreakers.class).breaker("tx-refused");

            // KafkaTemplate.executeInTransaction, whose callback swallows the refusal.
            assertThatThrownBy(() -> template.executeInTransaction(t -> {
                t.send(topic, "k", "before-the-first-refusal");
                breaker.forceOpen("it");
                sendIgnoringRefusal(t, topic, "refused");
                return null;
            })).isInstanceOf(org.apache.kafka.common.KafkaException.class)
                    .hasRootCauseInstanceOf(CircuitBreakerOpenException.class);
            breaker.reset("it");

            // A Spring transaction (@Transactional) run by Boot's KafkaTransactionManager.
            TransactionTemplate transaction = new TransactionTemplate(context.getBean(KafkaTransactionManager.class));
            assertThatThrownBy(() -> transaction.executeWithoutResult(status -> {
                template.send(topic, "k", "before-the-second-refusal");
                breaker.forceOpen("it");
                sendIgnoringRefusal(template, topic, "refused");
            })).hasRootCauseInstanceOf(CircuitBreakerOpenException.class);
            breaker.reset("it");

            // The producers are usable afterwards, and nothing of the two aborted transactions was committed.
            template.executeInTransaction(t -> t.send(topic, "k", "last"));
            assertThat(readCommitted(topic, "last")).containsExactly("last");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEventBusTheStatusPublisherAndTheFleetViewReachTheBrokerOfSpringKafka() throws Exception {
        String status = "status-" + UUID.randomUUID();
        runner().withConfiguration(AutoConfigurations.of(BreakwaterKafkaAutoConfiguration.class,
                        BreakwaterActuatorAutoConfiguration.class, EndpointAutoConfiguration.class))
                .withPropertyValues("breakwater.event-bus.enabled=true", "breakwater.status.enabled=true",
                        "breakwater.status.topic=" + status, "breakwater.status.instance-id=starter-it",
                        "breakwater.status.fleet-view=true", "management.endpoints.web.exposure.include=breakwater")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    EventBus bus = context.getBean(EventBus.class);
                    PublishResult published = bus.publishStream("orders", Map.of("id", 1)).get(30, TimeUnit.SECONDS);
                    assertThat(published.acknowledged()).isTrue();
                    context.getBean(BreakwaterBreakers.class).breaker("payments").forceOpen("it");
                    assertThat(readCommitted(status, null)).anyMatch(v -> v.contains("payments")
                            && v.contains("FORCED_OPEN") && v.contains("starter-it"));
                    BreakwaterEndpoint endpoint = context.getBean(BreakwaterEndpoint.class);
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                            assertThat((List<Map<String, Object>>) endpoint.breakers().get("fleet")).anySatisfy(e ->
                                    assertThat(e).containsEntry("instance", "starter-it")
                                            .containsEntry("breaker", "payments").containsEntry("state", "FORCED_OPEN")));
                });
    }

    /** Notes the client.id of every producer it is configured into. */
    public static class RecordingInterceptor implements ProducerInterceptor<Object, Object> {
        static final List<String> CLIENT_IDS = new CopyOnWriteArrayList<>();

        @Override
        public void configure(Map<String, ?> configs) {
            CLIENT_IDS.add(String.valueOf(configs.get(ProducerConfig.CLIENT_ID_CONFIG)));
        }

        @Override
        public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
            return record;
        }

        @Override
        public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        }

        @Override
        public void close() {
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void breakwatersClientsConnectWhereTheConnectionDetailsSayWithClientIdsOfTheirOwnAndNotTheApplicationsInterceptor()
            throws Exception {
        String status = "status-" + UUID.randomUUID();
        String topic = newTopic("details");
        RecordingInterceptor.CLIENT_IDS.clear();
        // spring.kafka.bootstrap-servers is a closed port: only the connection details lead to the broker.
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BreakwaterAutoConfiguration.class, KafkaAutoConfiguration.class,
                        BreakwaterKafkaAutoConfiguration.class, BreakwaterActuatorAutoConfiguration.class,
                        EndpointAutoConfiguration.class))
                .withBean(KafkaConnectionDetails.class, () -> () -> List.of(broker.bootstrapServers()))
                .withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:1", "spring.kafka.client-id=orders-app",
                        "spring.kafka.producer.properties.interceptor.classes=" + RecordingInterceptor.class.getName(),
                        "breakwater.event-bus.enabled=true", "breakwater.status.enabled=true",
                        "breakwater.status.topic=" + status, "breakwater.status.instance-id=details-it",
                        "breakwater.status.fleet-view=true", "management.endpoints.web.exposure.include=breakwater")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    context.getBean(KafkaTemplate.class).send(topic, "k", "v").get(30, TimeUnit.SECONDS);
                    PublishResult published = context.getBean(EventBus.class).publishStream("orders", Map.of("id", 1))
                            .get(30, TimeUnit.SECONDS);
                    assertThat(published.acknowledged()).isTrue();
                    context.getBean(BreakwaterBreakers.class).breaker("payments").forceOpen("it");
                    assertThat(readCommitted(status, null)).anyMatch(v -> v.contains("payments")
                            && v.contains("FORCED_OPEN") && v.contains("details-it"));
                    BreakwaterEndpoint endpoint = context.getBean(BreakwaterEndpoint.class);
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                            assertThat((List<Map<String, Object>>) endpoint.breakers().get("fleet")).anySatisfy(e ->
                                    assertThat(e).containsEntry("instance", "details-it")
                                            .containsEntry("breaker", "payments")));

                    // The interceptor is in the template's producers only (the factory numbers their client ids).
                    assertThat(RecordingInterceptor.CLIENT_IDS).isNotEmpty().allMatch(id -> id.matches("orders-app-\\d+"));
                    MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
                    assertThat(jmx.isRegistered(new ObjectName("kafka.producer:type=app-info,id=orders-app-breakwater-transport")))
                            .as("the transport's producer, named after the application's client id").isTrue();
                    assertThat(jmx.isRegistered(new ObjectName("kafka.producer:type=app-info,id=breakwater-status-details-it")))
                            .as("the status publisher's producer").isTrue();
                });
    }

    private static void sendIgnoringRefusal(KafkaOperations<String, String> template, String topic, String value) {
        try {
            template.send(topic, "k", value);
        } catch (KafkaException refused) {
            // the breaker has opened: what the test waits for
        }
    }

    private static String newTopic(String prefix) throws Exception {
        String topic = prefix + "-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private static List<String> readCommitted(String topic, String last) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "read-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return last == null ? values.stream().anyMatch(v -> v.contains("FORCED_OPEN")) : values.contains(last);
            });
        }
        return values;
    }

    /** The listener: each record goes to the database through its breaker. */
    static class Orders {
        final List<String> handled = new CopyOnWriteArrayList<>();
        final AtomicInteger attempts = new AtomicInteger();
        // The breaker's state as each attempt reached the listener.
        final List<CircuitBreakerState> statesAtAttempts = new CopyOnWriteArrayList<>();
        volatile boolean databaseDown;
        private final CircuitBreaker db;

        Orders(BreakwaterBreakers breakers) {
            this.db = breakers.breaker("db");
        }

        @KafkaListener(id = "orders", topics = "${gate.topic}", groupId = "${gate.topic}")
        void handle(String value) {
            statesAtAttempts.add(db.state());
            attempts.incrementAndGet();
            db.execute(() -> {
                if (databaseDown) {
                    throw new IllegalStateException("database down");
                }
                return handled.add(value);
            });
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class App {
        @Bean
        Orders orders(BreakwaterBreakers breakers) {
            return new Orders(breakers);
        }
    }

    @Test
    void theListenerPausesWhileItsBreakerIsOpenAndHandlesEveryRecordOnceInOrder() throws Exception {
        String topic = "gate-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BreakwaterAutoConfiguration.class, KafkaAutoConfiguration.class,
                        BreakwaterKafkaAutoConfiguration.class))
                .withUserConfiguration(App.class)
                .withPropertyValues("spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                        "spring.kafka.consumer.auto-offset-reset=earliest", "gate.topic=" + topic,
                        "breakwater.listeners.orders.pause-on=db",
                        "breakwater.breakers.db.failure-threshold=2", "breakwater.breakers.db.reset-timeout=6s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    @SuppressWarnings("unchecked")
                    KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
                    Orders orders = context.getBean(Orders.class);
                    CircuitBreaker db = context.getBean(BreakwaterBreakers.class).breaker("db");
                    MessageListenerContainer container = context.getBean(KafkaListenerEndpointRegistry.class)
                            .getListenerContainer("orders");

                    send(template, topic, 1, 5);
                    await().atMost(Duration.ofSeconds(30)).until(() -> orders.handled.size() == 5);

                    db.forceOpen("maintenance");
                    await().atMost(Duration.ofSeconds(10)).until(container::isContainerPaused);
                    send(template, topic, 6, 10);
                    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                            .until(() -> orders.handled.size() == 5);
                    db.reset("maintenance over");
                    await().atMost(Duration.ofSeconds(30)).until(() -> orders.handled.size() == 10);
                    assertThat(container.isPauseRequested()).isFalse();

                    // The database fails: two failures open the breaker, the container pauses on the failed
                    // record, and after the reset timeout its trials go through once the database is back.
                    orders.databaseDown = true;
                    send(template, topic, 11, 15);
                    await().atMost(Duration.ofSeconds(20)).until(container::isContainerPaused);
                    // Paused while the error handler was retrying the failed record: no retry reaches the listener
                    // while the breaker is open. Watched for 1.5 s: a trial after the 6 s reset timeout (should the
                    // pause have come late on a loaded machine) may reach it, HALF_OPEN.
                    int before = orders.statesAtAttempts.size();
                    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10)).until(() -> orders
                            .statesAtAttempts.subList(before, orders.statesAtAttempts.size()).stream()
                            .noneMatch(state -> state == CircuitBreakerState.OPEN));
                    orders.databaseDown = false;
                    await().atMost(Duration.ofSeconds(60)).until(() -> orders.handled.size() == 15);
                    assertThat(orders.handled).containsExactlyElementsOf(
                            IntStream.rangeClosed(1, 15).mapToObj(Integer::toString).toList());
                });
    }

    /** The listener of the race test: each record through the breaker "flaky"; every 7th fails its first try. */
    static class Flow {
        final List<String> handled = new CopyOnWriteArrayList<>();
        final Semaphore progress = new Semaphore(0);
        private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        private final CircuitBreaker flaky;

        Flow(BreakwaterBreakers breakers) {
            this.flaky = breakers.breaker("flaky");
        }

        @KafkaListener(id = "flow", topics = "${flow.topic}", groupId = "${flow.topic}")
        void handle(String value) {
            flaky.execute(() -> {
                if (Integer.parseInt(value) % 7 == 0 && failedOnce.add(value)) {
                    throw new IllegalStateException("database hiccup");
                }
                return handled.add(value);
            });
            progress.release();
        }
    }

    /** The starter's error handler, noting every exception the container hands it. */
    static final class RecordingErrorHandler implements CommonErrorHandler {
        final List<Exception> seen = new CopyOnWriteArrayList<>();
        private final CommonErrorHandler delegate;

        RecordingErrorHandler(CommonErrorHandler delegate) {
            this.delegate = delegate;
        }

        @Override
        public boolean seeksAfterHandling() {
            return delegate.seeksAfterHandling();
        }

        @Override
        public boolean deliveryAttemptHeader() {
            return delegate.deliveryAttemptHeader();
        }

        @Override
        public void handleOtherException(Exception e, Consumer<?, ?> consumer, MessageListenerContainer container,
                boolean batchListener) {
            seen.add(e);
            delegate.handleOtherException(e, consumer, container, batchListener);
        }

        @Override
        public boolean handleOne(Exception e, ConsumerRecord<?, ?> record, Consumer<?, ?> consumer,
                MessageListenerContainer container) {
            seen.add(e);
            return delegate.handleOne(e, record, consumer, container);
        }

        @Override
        public void handleRemaining(Exception e, List<ConsumerRecord<?, ?>> records, Consumer<?, ?> consumer,
                MessageListenerContainer container) {
            seen.add(e);
            delegate.handleRemaining(e, records, consumer, container);
        }

        @Override
        public void handleBatch(Exception e, ConsumerRecords<?, ?> records, Consumer<?, ?> consumer,
                MessageListenerContainer container, Runnable invokeListener) {
            seen.add(e);
            delegate.handleBatch(e, records, consumer, container, invokeListener);
        }

        @Override
        public <K, V> ConsumerRecords<K, V> handleBatchAndReturnRemaining(Exception e, ConsumerRecords<?, ?> records,
                Consumer<?, ?> consumer, MessageListenerContainer container, Runnable invokeListener) {
            seen.add(e);
            return delegate.handleBatchAndReturnRemaining(e, records, consumer, container, invokeListener);
        }

        @Override
        public int deliveryAttempt(TopicPartitionOffset topicPartitionOffset) {
            return delegate.deliveryAttempt(topicPartitionOffset);
        }

        @Override
        public void clearThreadState() {
            delegate.clearThreadState();
        }

        @Override
        public boolean isAckAfterHandle() {
            return delegate.isAckAfterHandle();
        }

        @Override
        public void setAckAfterHandle(boolean ack) {
            delegate.setAckAfterHandle(ack);
        }

        @Override
        public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions,
                Runnable publishPause) {
            delegate.onPartitionsAssigned(consumer, partitions, publishPause);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class FlowApp {
        @Bean
        Flow flow(BreakwaterBreakers breakers) {
            return new Flow(breakers);
        }

        @Bean
        static BeanPostProcessor recordingErrorHandler() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    return name.equals("breakwaterErrorHandler") ? new RecordingErrorHandler((CommonErrorHandler) bean) : bean;
                }
            };
        }
    }

    /**
     * Spring Kafka's #2738 race: a pause (or resume) requested from another thread just as the consumer's poll
     * returns leaves a wakeup pending, which the next blocking call of the consumer gets as a WakeupException. The
     * gate's breaker goes FORCED_OPEN and back after every record the listener handles, from another thread, while
     * records keep arriving and every 7th fails once (so the error handler seeks back and polls again too).
     */
    @Test
    void manyTransitionsWhileRecordsFlowSkipNothingAndNeverHandTheErrorHandlerAWakeup() throws Exception {
        String topic = newTopic("flow");
        int records = 150;
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BreakwaterAutoConfiguration.class, KafkaAutoConfiguration.class,
                        BreakwaterKafkaAutoConfiguration.class))
                .withUserConfiguration(FlowApp.class)
                .withPropertyValues("spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                        "spring.kafka.consumer.auto-offset-reset=earliest", "flow.topic=" + topic,
                        "breakwater.listeners.flow.pause-on=flaky")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    @SuppressWarnings("unchecked")
                    KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
                    Flow flow = context.getBean(Flow.class);
                    CircuitBreaker flaky = context.getBean(BreakwaterBreakers.class).breaker("flaky");
                    RecordingErrorHandler errors = context.getBean(RecordingErrorHandler.class);
                    AtomicInteger transitions = new AtomicInteger();
                    AtomicBoolean done = new AtomicBoolean();
                    Thread driver = new Thread(() -> {
                        while (!done.get()) {
                            try {
                                if (!flow.progress.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                                    continue;
                                }
                            } catch (InterruptedException e) {
                                return;
                            }
                            flaky.forceOpen("race");
                            flaky.reset("race");
                            transitions.addAndGet(2);
                        }
                    }, "transitions");
                    driver.start();
                    try {
                        send(template, topic, 1, records);
                        await().atMost(Duration.ofSeconds(120)).until(() -> flow.handled.size() >= records);
                    } finally {
                        done.set(true);
                        driver.join(10_000);
                    }
                    assertThat(flow.handled.stream().distinct().toList()).as("every record, in order")
                            .containsExactlyElementsOf(IntStream.rangeClosed(1, records).mapToObj(Integer::toString).toList());
                    // The driver flaps once per record handled, as far as the scheduler lets it keep up (the permits it
                    // has not taken when the last record is handled are left): at least a third of them, many races.
                    assertThat(transitions.get()).as("transitions while records flowed")
                            .isGreaterThanOrEqualTo(2 * records / 3);
                    assertThat(errors.seen).as("what the error handler was given")
                            .noneMatch(e -> hasCause(e, WakeupException.class))
                            .allMatch(e -> hasCause(e, IllegalStateException.class)
                                    || hasCause(e, CircuitBreakerOpenException.class));
                });
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static void send(KafkaTemplate<String, String> template, String topic, int from, int to) throws Exception {
        for (int i = from; i <= to; i++) {
            template.send(topic, "k", Integer.toString(i)).get(30, TimeUnit.SECONDS);
        }
    }
}
