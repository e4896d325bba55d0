package io.breakwater.cli.internal;

import io.breakwater.eventbus.EventBus;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** The demo's producers and topics: how each path is set up, and its first acknowledgement. */
final class DemoProducers {

    // Every topic of the demo has this prefix, so that on a cluster of the user's it writes to no topic of theirs.
    static final String TOPIC_PREFIX = "breakwater-demo-";
    static final String ORDERS_TOPIC = TOPIC_PREFIX + BusPath.STREAM;   // the bus's topic of its stream
    static final String FILLS_TOPIC = TOPIC_PREFIX + "fills";
    static final String PLAIN_TOPIC = TOPIC_PREFIX + "plain-orders";
    static final String WARM_UP_TOPIC = TOPIC_PREFIX + "warm-up";
    static final int WARM_UP_CALLS = 20_000;

    private DemoProducers() {
    }

    /** Creates the topics and waits for one acknowledgement on every path, so faults hit a running system. */
    static void warmUp(String servers, EventBus eventBus, Producer<String, String> withInterceptor,
                        Producer<String, String> plainProducer) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", servers))) {
            List<org.apache.kafka.clients.admin.NewTopic> topics = new ArrayList<>();
            java.util.Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            for (String topic : List.of(ORDERS_TOPIC, FILLS_TOPIC, PLAIN_TOPIC, WARM_UP_TOPIC)) {
                if (!existing.contains(topic)) {
                    topics.add(new org.apache.kafka.clients.admin.NewTopic(topic, java.util.Optional.of(3), java.util.Optional.empty()));
                }
            }
            if (!topics.isEmpty()) {
                for (var created : admin.createTopics(topics).values().entrySet()) {
                    try {
                        created.getValue().get(30, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        // Another demo on the same cluster made it since the list: that is what was wanted.
                        if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                            throw new IllegalStateException("Cannot create topic " + created.getKey() + ": "
                                    + io.breakwater.breaker.Throwables.describe(e.getCause()), e.getCause());
                        }
                    }
                }
            }
        }
        eventBus.publishStream(BusPath.STREAM, "warm-up", new Demo.Event(0, "WARM", 0), Map.of()).get(30, TimeUnit.SECONDS);
        withInterceptor.send(new ProducerRecord<>(FILLS_TOPIC, "warm-up", "warm-up")).get(30, TimeUnit.SECONDS);
        plainProducer.send(new ProducerRecord<>(PLAIN_TOPIC, "warm-up", "warm-up")).get(30, TimeUnit.SECONDS);
        warmUpCode(eventBus, withInterceptor, plainProducer);
    }

    /**
     * Runs each path's code {@value #WARM_UP_CALLS} times before the demo's clock starts, so that the calls the
     * demo times run compiled code, as in a service that has been up a while: the EventBus's direct path and its
     * spill path (the stream's breaker held open, then the spill replayed), on its own stream, so that its
     * transport still sees one topic in use; the producers on a topic of their own.
     */
    private static void warmUpCode(EventBus bus, Producer<String, String> withInterceptor, Producer<String, String> plain)
            throws Exception {
        List<java.util.concurrent.Future<?>> answers = new ArrayList<>();
        for (int i = 0; i < WARM_UP_CALLS; i++) {
            answers.add(bus.publishStream(BusPath.STREAM, "warm-up", new Demo.Event(i, "WARM", 0), Map.of()));
            answers.add(withInterceptor.send(new ProducerRecord<>(WARM_UP_TOPIC, "k", "warm-up")));
            answers.add(plain.send(new ProducerRecord<>(WARM_UP_TOPIC, "k", "warm-up")));
        }
        bus.channelBreaker(BusPath.STREAM).forceOpen();
        for (int i = 0; i < WARM_UP_CALLS / 4; i++) {
            answers.add(bus.publishStream(BusPath.STREAM, "warm-up", new Demo.Event(i, "WARM", 0), Map.of()));
        }
        for (java.util.concurrent.Future<?> answer : answers) {
            answer.get(60, TimeUnit.SECONDS);
        }
        bus.channelBreaker(BusPath.STREAM).reset();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (bus.spillStatus().get(0).pending() > 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));   // the replay runs
        }
    }

    static Map<String, Object> intercepted(String servers, String instance, Demo.Options options) {
        Map<String, Object> props = plain(servers);
        props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
        props.put("breakwater.breaker.name", Demo.INTERCEPTED);
        props.put("breakwater.instance.id", instance);
        props.put("breakwater.reset.timeout.ms", Long.toString(options.resetTimeout().toMillis()));
        props.put("breakwater.window.size", "20");
        props.put("breakwater.failure.rate.threshold", "0.5");
        return props;
    }

    /** The plain producer: Kafka's defaults, with max.block.ms and delivery.timeout.ms scaled down to fit the demo. */
    static Map<String, Object> plain(String servers) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        return props;
    }
}
