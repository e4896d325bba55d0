package io.breakwater.bench;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.eventbus.EventBus;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.transport.redpanda.EventCodec;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The ways of sending one record that the end-to-end parts compare, each on a topic of its own: Kafka's producer
 * alone, the {@code CircuitBreakerProducer} blocking and non-blocking, the producer with the interceptor, the
 * EventBus with and without a spill, and a control: Kafka's producer alone with an EventBus event's headers. Closed
 * together.
 */
final class Variants implements AutoCloseable {

    static final int VALUE_BYTES = 1024;
    static final String RAW = "raw KafkaProducer";
    static final String WRAPPED = "CircuitBreakerProducer (blocking)";
    static final String NON_BLOCKING = "CircuitBreakerProducer (non-blocking)";
    static final String INTERCEPTED = "KafkaProducer + interceptor";
    static final String BUS = "EventBus.publishStream";
    static final String BUS_SPILL = "EventBus.publishStream with a spill (no fault)";
    /** A control, not a guard: the raw producer, each record with the two headers an EventBus event carries. */
    static final String RAW_HEADERS = "raw KafkaProducer + the EventBus's two headers";
    static final List<String> TOPICS = List.of("raw", "wrapped", "nonblocking", "intercepted", "eventbus", "eventbus-spill",
            "raw-headers");

    /** Whether {@code variant} is a control (no guard: no target applies to it). */
    static boolean control(String variant) {
        return variant.equals(RAW) || variant.equals(RAW_HEADERS);
    }

    /** One way of sending, by name. */
    record Variant(String name, Sender sender) {
        /** Sends record {@code i} with {@code value}; {@code done} takes its error, or null. */
        void send(int i, byte[] value, Consumer<Throwable> done) {
            sender.send(i, value, done);
        }
    }

    /** Sends record {@code i} with {@code value}; {@code done} takes its error, or null. */
    interface Sender {
        void send(int i, byte[] value, Consumer<Throwable> done);
    }

    /** Passes byte[] events through, so the EventBus moves the same 1 KiB values as the producers. */
    static final class Bytes implements EventCodec {
        @Override
        public byte[] encode(Object event) {
            return (byte[]) event;
        }

        @Override
        public String contentType() {
            return "application/octet-stream";
        }
    }

    private final List<Variant> variants = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    // Every transition of every guard's breakers: none is expected without a fault, so any explains a failed burst.
    private final Queue<String> transitions = new ConcurrentLinkedQueue<>();

    /**
     * The variants on {@code prefix}-topics, with producers of {@code props}; the non-blocking ones get a send queue of
     * {@code queue} records (a whole burst: they measure throughput, not a full queue's refusals).
     */
    Variants(Map<String, Object> props, String prefix, int queue, Path spillDir) {
        try {
            Producer<String, byte[]> raw = open(new KafkaProducer<>(props));
            Producer<String, byte[]> wrapped = open(CircuitBreakerProducer.wrap(new KafkaProducer<>(props),
                    watched(CircuitBreaker.ofDefaults(prefix + "wrapped"))));
            Producer<String, byte[]> nonBlocking = CircuitBreakerProducer.builder(new KafkaProducer<String, byte[]>(props))
                    .breaker(watched(CircuitBreaker.ofDefaults(prefix + "nonblocking"))).nonBlocking(true)
                    .sendQueueMaxRecords(queue).build();
            // Its close() passes Duration.ofMillis(Long.MAX_VALUE) on, whose nanos overflow: closed with a bound instead.
            closeables.add(() -> nonBlocking.close(Duration.ofSeconds(30)));
            Map<String, Object> interceptorProps = new HashMap<>(props);
            interceptorProps.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
            interceptorProps.put("breakwater.breaker.name", prefix + "intercepted");
            interceptorProps.put("breakwater.status.enabled", "false");
            Producer<String, byte[]> intercepted = open(new KafkaProducer<>(interceptorProps));
            CircuitBreakerRegistry.global().get(prefix + "intercepted").ifPresent(this::watched);
            EventBus bus = open(EventBus.builder(RedpandaTransport.builder(props).codec(new Bytes()).sendQueueMaxRecords(queue)
                    .build()).topicPrefix(prefix).build());
            EventBus spilling = open(EventBus.builder(RedpandaTransport.builder(props).codec(new Bytes()).sendQueueMaxRecords(queue)
                    .build()).topicPrefix(prefix).spill(SqliteSpillStore.open(spillDir.resolve(prefix + "spill.db"))).build());
            for (EventBus b : List.of(bus, spilling)) {
                watched(b.transportBreaker());
                open(b.registry().onTransition(t -> transitions.add(t.toString())));   // the streams' breakers, made later
            }
            variants.add(viaProducer(RAW, raw, prefix + TOPICS.get(0)));
            variants.add(viaProducer(WRAPPED, wrapped, prefix + TOPICS.get(1)));
            variants.add(viaProducer(NON_BLOCKING, nonBlocking, prefix + TOPICS.get(2)));
            variants.add(viaProducer(INTERCEPTED, intercepted, prefix + TOPICS.get(3)));
            variants.add(viaBus(BUS, bus, TOPICS.get(4)));
            variants.add(viaBus(BUS_SPILL, spilling, TOPICS.get(5)));
            Producer<String, byte[]> rawHeaders = open(new KafkaProducer<>(props));
            variants.add(withBusHeaders(rawHeaders, prefix + TOPICS.get(6)));
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Producer properties for the broker at {@code bootstrap}: 1 KiB values, acks=all, {@code lingerMs}, 64 KiB batches. */
    static Map<String, Object> props(String bootstrap, int lingerMs) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        return props;
    }

    /** The topics of the variants on {@code prefix}. */
    static List<String> topics(String prefix) {
        return TOPICS.stream().map(t -> prefix + t).toList();
    }

    List<Variant> all() {
        return variants;
    }

    /** Every transition of the guards' breakers so far, in the order heard ("'name' FROM -> TO ...: reason"). */
    List<String> transitions() {
        return List.copyOf(transitions);
    }

    private CircuitBreaker watched(CircuitBreaker breaker) {
        open(breaker.onTransition(t -> transitions.add(t.toString())));
        return breaker;
    }

    private <T extends AutoCloseable> T open(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private static Variant viaProducer(String name, Producer<String, byte[]> producer, String topic) {
        return new Variant(name, (i, value, done) ->
                producer.send(new ProducerRecord<>(topic, KEYS[i & 63], value), (metadata, error) -> done.accept(error)));
    }

    /**
     * The raw producer, each record with headers as an EventBus event's: its content type (the {@link Bytes} codec's) and
     * a unique id made per record as the bus makes its ids (the bytes of 16 hex digits, a dash and a counter in base 36,
     * one array each), in headers of a record class of their own as the bus's are.
     */
    private static Variant withBusHeaders(Producer<String, byte[]> producer, String topic) {
        byte[] contentType = new Bytes().contentType().getBytes(StandardCharsets.UTF_8);
        byte[] prefix = String.format("%016x-", new SplittableRandom().nextLong()).getBytes(StandardCharsets.US_ASCII);
        AtomicLong counter = new AtomicLong();
        return new Variant(RAW_HEADERS, (i, value, done) -> {
            List<Header> headers = List.of(new Text("content-type", contentType),
                    new Text(EventBus.EVENT_ID_HEADER, id(prefix, counter.incrementAndGet())));
            producer.send(new ProducerRecord<>(topic, null, KEYS[i & 63], value, headers),
                    (metadata, error) -> done.accept(error));
        });
    }

    /** {@code prefix}, then {@code n} in base 36, in one array. */
    private static byte[] id(byte[] prefix, long n) {
        int digits = 1;
        for (long m = n / 36; m > 0; m /= 36) {
            digits++;
        }
        byte[] id = Arrays.copyOf(prefix, prefix.length + digits);
        for (int i = id.length - 1; i >= prefix.length; i--, n /= 36) {
            id[i] = (byte) Character.forDigit((int) (n % 36), 36);
        }
        return id;
    }

    /** A header of the control: a key and its value. */
    private record Text(String key, byte[] value) implements Header {
    }

    private static Variant viaBus(String name, EventBus bus, String stream) {
        return new Variant(name, (i, value, done) ->
                bus.publishStream(stream, KEYS[i & 63], value, Map.of()).whenComplete((r, e) -> done.accept(e)));
    }

    /** The key of record {@code i}: one of 64 made once. */
    static String key(int i) {
        return KEYS[i & 63];
    }

    /** 64 keys made once: the figures are the variants', not those of making key strings. */
    private static final String[] KEYS = new String[64];

    static {
        for (int i = 0; i < KEYS.length; i++) {
            KEYS[i] = "k" + i;
        }
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                failure = failure == null ? new IllegalStateException("closing the variants failed", e) : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
