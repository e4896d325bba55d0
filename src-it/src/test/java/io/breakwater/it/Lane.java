package io.breakwater.it;

import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.eventbus.EventBus;
import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.interceptors.CircuitBreakerProducerInterceptor;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One guard (the wrapper, the interceptor or the EventBus) on a producer of its own, with the guard's
 * default settings, driven by caller threads the way a user drives it, each at a steady pace of one call
 * per {@link #PACE}: what was sent, what came back, and the guard's breakers under watch.
 * {@link #closeAll} stops the callers within its bound, whatever they are blocked in.
 */
final class Lane {

    /** The pause after each call of each caller thread: about 50 calls a second per thread. */
    static final Duration PACE = Duration.ofMillis(20);

    /** The three front doors. */
    enum Guard {
        WRAPPER("wrapper"), INTERCEPTOR("interceptor"), EVENTBUS("eventbus");

        final String label;

        Guard(String label) {
            this.label = label;
        }
    }

    /** How the guard is called. */
    enum Callers {
        /** One thread: send with a callback (publishStream and carry on), not waiting. */
        ONE_ASYNC(1, false, "1 thread, async"),
        /** One thread that waits for each answer: send(...).get(), publishStream(...).join(). */
        ONE_WAITING(1, true, "1 thread, waits"),
        /** Four threads, each as {@link #ONE_ASYNC}. */
        FOUR_ASYNC(4, false, "4 threads, async");

        final int threads;
        final boolean waits;
        final String label;

        Callers(int threads, boolean waits, String label) {
            this.threads = threads;
            this.waits = waits;
            this.label = label;
        }
    }

    /** What a guard offers its callers: the call a user would write, in both styles. */
    private interface Client {
        void send(String key, String value, BiConsumer<Object, Throwable> done);

        void sendAndWait(String key, String value) throws Exception;

        void close(Duration timeout);
    }

    private final Guard guard;
    private final Callers callers;
    private final String topic;
    private final Client client;
    private final List<BreakerWatch> watches;
    private final List<Thread> threads = new ArrayList<>();
    private final LongAdder acks = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicLong lastAnswerNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong lastAckNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong slowestAckNanos = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean running;

    private Lane(Guard guard, Callers callers, String topic, Client client, List<BreakerWatch> watches) {
        this.guard = guard;
        this.callers = callers;
        this.topic = topic;
        this.client = client;
        this.watches = watches;
    }

    /**
     * A lane of {@code guard} on the broker at {@code bootstrap}; {@code id} names its client, its breakers and
     * its topic (the stream, for the EventBus). Only what identifies the breakers is set, and status publishing
     * is off; everything else is the guard's default.
     */
    static Lane of(Guard guard, Callers callers, String bootstrap, String id) {
        Map<String, Object> props = Records.producerConfig(bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, id);
        switch (guard) {
            case WRAPPER -> {
                props.put("breakwater.breaker.name", id);
                props.put("breakwater.status.enabled", "false");
                CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.wrap(new KafkaProducer<>(props), props);
                return new Lane(guard, callers, id, kafka(producer, id), List.of(new BreakerWatch(guard.label, producer.breaker())));
            }
            case INTERCEPTOR -> {
                props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, CircuitBreakerProducerInterceptor.class.getName());
                props.put("breakwater.breaker.name", id);
                props.put("breakwater.status.enabled", "false");
                KafkaProducer<String, String> producer = new KafkaProducer<>(props);
                return new Lane(guard, callers, id, kafka(producer, id), List.of(new BreakerWatch(guard.label,
                        CircuitBreakerRegistry.global().get(id).orElseThrow())));
            }
            default -> {
                RedpandaTransport transport = RedpandaTransport.builder(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ProducerConfig.CLIENT_ID_CONFIG, id,
                        "breakwater.breaker.name", id + "-transport")).build();
                EventBus bus = EventBus.builder(transport).build();
                return new Lane(guard, callers, bus.topicFor(id), bus(bus, id), List.of(
                        new BreakerWatch("eventbus stream", bus.channelBreaker(id)),
                        new BreakerWatch("eventbus transport", bus.transportBreaker())));
            }
        }
    }

    private static Client kafka(Producer<String, String> producer, String topic) {
        return new Client() {
            @Override
            public void send(String key, String value, BiConsumer<Object, Throwable> done) {
                producer.send(new ProducerRecord<>(topic, key, value), done::accept);
            }

            @Override
            public void sendAndWait(String key, String value) throws Exception {
                producer.send(new ProducerRecord<>(topic, key, value)).get();
            }

            @Override
            public void close(Duration timeout) {
                producer.close(timeout);
            }
        };
    }

    private static Client bus(EventBus bus, String stream) {
        return new Client() {
            @Override
            public void send(String key, String value, BiConsumer<Object, Throwable> done) {
                bus.publishStream(stream, key, value, Map.of()).whenComplete(done);
            }

            @Override
            public void sendAndWait(String key, String value) {
                bus.publishStream(stream, key, value, Map.of()).join();
            }

            @Override
            public void close(Duration timeout) {
                bus.close(timeout);
            }
        };
    }

    Guard guard() {
        return guard;
    }

    Callers callers() {
        return callers;
    }

    /** The topic the lane writes to. */
    String topic() {
        return topic;
    }

    List<BreakerWatch> watches() {
        return watches;
    }

    long acks() {
        return acks.sum();
    }

    long failures() {
        return failures.sum();
    }

    /** The longest a call took to be acknowledged so far, in ms. */
    long slowestAckMillis() {
        return slowestAckNanos.get() / 1_000_000;
    }

    /** Forgets the slowest acknowledgement so far: the next ones are measured afresh. */
    void resetSlowestAck() {
        slowestAckNanos.set(0);
    }

    /** The {@link System#nanoTime()} at which a call was last acknowledged. */
    long lastAckNanos() {
        return lastAckNanos.get();
    }

    /** How long since a call last came back (acknowledged or failed), in ms. */
    long millisSinceLastAnswer() {
        return (System.nanoTime() - lastAnswerNanos.get()) / 1_000_000;
    }

    /** Starts the caller threads (daemons: a failed test must not leave them holding the JVM). */
    Lane start() {
        running = true;
        for (int i = 0; i < callers.threads; i++) {
            String key = "k" + i;
            Thread t = new Thread(() -> callLoop(key), topic + "-caller-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    private void callLoop(String key) {
        while (running) {
            long start = System.nanoTime();
            String value = "v" + sequence.incrementAndGet();
            try {
                if (callers.waits) {
                    client.sendAndWait(key, value);
                    answered(start, null);
                } else {
                    client.send(key, value, (result, error) -> answered(start, error));
                }
            } catch (Exception e) {
                answered(start, e);
            }
            LockSupport.parkNanos(PACE.toNanos());
        }
    }

    private void answered(long startNanos, Throwable error) {
        long now = System.nanoTime();
        lastAnswerNanos.accumulateAndGet(now, Math::max);
        if (error == null) {
            acks.increment();
            lastAckNanos.accumulateAndGet(now, Math::max);
            slowestAckNanos.accumulateAndGet(now - startNanos, Math::max);
        } else {
            failures.increment();
        }
    }

    /**
     * Closes every lane within one {@code bound}: stops the callers, closes each guard at once
     * ({@code close(Duration.ZERO)}: what is in flight fails, which wakes a caller waiting for it), interrupts
     * the callers (which wakes one blocked in {@code send} for metadata) and waits for them until the bound.
     * Callers still blocked then are left behind, as daemons.
     *
     * @return the names of the callers left behind
     */
    static List<String> closeAll(List<Lane> lanes, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        RuntimeException failure = null;
        for (Lane lane : lanes) {
            lane.running = false;
        }
        for (Lane lane : lanes) {
            try {
                lane.client.close(Duration.ZERO);
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
            lane.watches.forEach(BreakerWatch::close);
            lane.threads.forEach(Thread::interrupt);
        }
        List<String> stuck = new ArrayList<>();
        for (Lane lane : lanes) {
            for (Thread t : lane.threads) {
                try {
                    t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (t.isAlive()) {
                    stuck.add(t.getName());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return stuck;
    }

    @Override
    public String toString() {
        return guard.label + " · " + callers.label + " (" + topic + ")";
    }
}
