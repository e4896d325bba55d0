package io.breakwater.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.ManualClock;
import io.breakwater.breaker.watch.TrackerLimits;
import io.breakwater.spill.SpillException;
import io.breakwater.spill.SpillStore;
import io.breakwater.spill.SpilledEvent;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillReplayerTest {

    private static final String STREAM = "orders";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();

    /** A store whose next {@code lost} removals happen and are then reported failed (their commit's answer lost). */
    private static SpillStore removalsLost(SpillStore store, AtomicInteger lost) {
        return (SpillStore) Proxy.newProxyInstance(SpillStore.class.getClassLoader(), new Class<?>[] {SpillStore.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("remove") && lost.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw new SpillException(store.describe(), "could not remove: connection reset", null);
                    }
                    return result;
                });
    }

    private static SpilledEvent event(int seq) {
        return new SpilledEvent(0, "id-" + seq, STREAM, STREAM, "k", ("e" + seq).getBytes(StandardCharsets.UTF_8), Map.of(),
                seq + 1, 0);
    }

    /**
     * Regression: the replay kept, for as long as it ran, the count of sends of every event of a batch whose removal
     * happened but was reported failed; it now forgets them once it has read everything the stream holds.
     */
    @Test
    void aRemovalReportedFailedThoughItHappenedLeavesNoCountOfSendsBehind() {
        AtomicInteger lost = new AtomicInteger(1);
        SpillStore store = removalsLost(SqliteSpillStore.open(dir.resolve("spill.db")), lost);
        store.append(IntStream.range(0, 3).mapToObj(SpillReplayerTest::event).toList());
        MockProducer<String, byte[]> mock = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false)
                .breakerConfig(CircuitBreakerConfig.builder("redpanda_transport").clock(clock).build()).build();
        SpillFront front = new SpillFront(store);
        StreamChannel channel = new StreamChannel(STREAM, STREAM,
                CircuitBreaker.of(CircuitBreakerConfig.builder("kafka_channel_orders").clock(clock).build()), clock,
                new TrackerLimits(clock::nanoTime, Duration.ofSeconds(1), Duration.ofSeconds(2), StreamChannel.TRACKED, true),
                front, () -> false);
        channel.restoreSpilled(store.events(STREAM));
        channel.continueAbove(store.highestOrder(STREAM), store.describe());
        try (transport; store; SpillReplayer replayer = new SpillReplayer(front,
                new ChannelSender(transport, clock, () -> false, Duration.ofSeconds(1), Duration.ofSeconds(2)))) {
            replayer.watch(channel);

            await().atMost(WAIT).until(() -> lost.get() == 0 && store.events(STREAM) == 0);
            assertThat(mock.history()).hasSize(3);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(channel.spilled()).as("counted as held").isZero();
                assertThat(replayer.eventsWithSends()).as("events with a count of sends").isZero();
            });
        } finally {
            channel.close();
        }
    }
}
