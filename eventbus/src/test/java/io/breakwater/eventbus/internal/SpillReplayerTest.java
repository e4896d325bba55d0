package io.breakwater.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.ManualClock;
import io.breakwater.breaker.watch.TrackerLimits;
import io.breakwater.eventbus.EventBus;
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

    /**
     * A store whose next {@code failing} removals are reported failed: having happened (their commit's answer lost) when
     * {@code happen}, else without removing anything.
     */
    private static SpillStore removalsFail(SpillStore store, AtomicInteger failing, boolean happen) {
        return (SpillStore) Proxy.newProxyInstance(SpillStore.class.getClassLoader(), new Class<?>[] {SpillStore.class},
                (proxy, method, args) -> {
                    boolean fail = method.getName().equals("remove") && failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                    if (fail && !happen) {
                        throw new SpillException(store.describe(), "could not remove: database is locked", null);
                    }
                    Object result;
                    try {
                        result = method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (fail) {
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
        MockProducer<String, byte[]> mock = replayThroughFailingRemoval(true);
        assertThat(mock.history()).as("each event sent once: its removal happened").hasSize(3);
    }

    /**
     * The other side: a removal that failed, not done, leaves its events in the spill; Kafka has them, so they are not
     * sent again: the removal is tried again, and each event was sent once.
     */
    @Test
    void aRemovalThatFailedIsTriedAgainAndItsEventsAreNotSentAgain() {
        MockProducer<String, byte[]> mock = replayThroughFailingRemoval(false);
        assertThat(mock.history()).extracting(r -> new String(r.headers().lastHeader(EventBus.REPLAY_HEADER).value(),
                StandardCharsets.UTF_8)).containsExactly("1", "1", "1");
        assertThat(mock.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("e0", "e1", "e2");
    }

    /**
     * Regression: an event that can never be sent was counted as dropped, and logged so, before its removal; a removal
     * that failed left it in the spill, to be sent, refused and counted again.
     */
    @Test
    void anEventThatCannotBeSentIsCountedAsDroppedOnceThoughItsFirstRemovalFailed() {
        AtomicInteger failing = new AtomicInteger(1);
        SpillStore store = removalsFail(SqliteSpillStore.open(dir.resolve("spill.db")), failing, false);
        store.append(java.util.List.of(event(0)));
        ByteArraySerializer tooLarge = new ByteArraySerializer() {
            @Override
            public byte[] serialize(String topic, byte[] data) {
                throw new org.apache.kafka.common.errors.RecordTooLargeException("this record is too large for the broker");
            }
        };
        SpillFront front = replay(store, new MockProducer<>(true, null, new StringSerializer(), tooLarge), 0, channel -> {
            await().atMost(WAIT).until(() -> failing.get() == 0 && store.events(STREAM) == 0);
            await().atMost(WAIT).until(() -> channel.spilled() == 0);
        });
        assertThat(front.status().dropped()).as("one event dropped, once").isEqualTo(1);
    }

    /**
     * Replays 3 spilled events of one stream over a store whose first removal is reported failed (having happened when
     * {@code happen}) until the spill is empty, and checks that nothing stays counted; returns what reached the producer.
     */
    private MockProducer<String, byte[]> replayThroughFailingRemoval(boolean happen) {
        AtomicInteger failing = new AtomicInteger(1);
        SpillStore store = removalsFail(SqliteSpillStore.open(dir.resolve("spill.db")), failing, happen);
        store.append(IntStream.range(0, 3).mapToObj(SpillReplayerTest::event).toList());
        MockProducer<String, byte[]> mock = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        replay(store, mock, 0, channel -> {
            await().atMost(WAIT).until(() -> failing.get() == 0 && store.events(STREAM) == 0);
        });
        return mock;
    }

    /**
     * Regression: a batch of part of a stream's spilled events that held one the counts missed (an append reported
     * failed that happened) let new events go directly, ahead of the event it left in the spill, and left that one
     * there, counted nowhere, until the stream spilled again.
     */
    @Test
    void anEventTheCountsMissIsReplayedInItsOrderAndNoNewEventOvertakesWhatIsLeft() {
        SpillStore store = SqliteSpillStore.open(dir.resolve("spill.db"));
        int held = SpillReplayer.BATCH + 1;
        store.append(IntStream.range(0, held).mapToObj(SpillReplayerTest::event).toList());
        MockProducer<String, byte[]> mock = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
        replay(store, mock, 1, channel -> {
            await().atMost(WAIT).until(() -> mock.history().size() == SpillReplayer.BATCH);
            ReplayThread.awaitBetweenTicks(WAIT);
            long admitted = channel.admit();
            channel.unadmit(admitted);
            assertThat(admitted).as("a new event while an event waits in the spill, not in flight: behind it").isNegative();
            await().atMost(WAIT).until(() -> {
                while (mock.completeNext()) {
                    // acknowledge what the replay has sent so far
                }
                return store.events(STREAM) == 0;
            });
        });
        assertThat(mock.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyElementsOf(IntStream.range(0, held).mapToObj(i -> "e" + i).toList());
    }

    /**
     * Regression: an append reported failed that happened (its commit's answer lost) left its event in the spill, counted
     * nowhere and not replayed, until the stream spilled again or the process restarted.
     */
    @Test
    void anEventWhoseAppendWasReportedFailedThoughItHappenedIsFoundAndReplayed() {
        SpillStore store = SqliteSpillStore.open(dir.resolve("spill.db"));
        store.append(java.util.List.of(event(0)));
        MockProducer<String, byte[]> mock = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        replay(store, mock, 1, channel -> {
            channel.spilling();            // counted on its way in,
            channel.appendEnded(false);    // then reported failed, though the store holds it
            await().atMost(WAIT).until(() -> store.events(STREAM) == 0);
        });
        assertThat(mock.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactly("e0");
    }

    /**
     * Replays what {@code store} holds for one stream, of which the stream counts all but {@code uncounted}, through
     * {@code mock} until {@code done} returns, then checks that nothing stays counted; returns the spill's front (closed),
     * for its status.
     */
    private SpillFront replay(SpillStore store, MockProducer<String, byte[]> mock, int uncounted,
                              java.util.function.Consumer<StreamChannel> done) {
        RedpandaTransport transport = RedpandaTransport.builder(mock).nonBlocking(false)
                .breakerConfig(CircuitBreakerConfig.builder("redpanda_transport").clock(clock).build()).build();
        SpillFront front = new SpillFront(store);
        StreamChannel channel = new StreamChannel(STREAM, STREAM,
                CircuitBreaker.of(CircuitBreakerConfig.builder("kafka_channel_orders").clock(clock).build()), clock,
                new TrackerLimits(clock::nanoTime, Duration.ofSeconds(1), Duration.ofSeconds(2), StreamChannel.TRACKED, true),
                front, () -> false);
        channel.restoreSpilled(store.events(STREAM) - uncounted);
        channel.continueAbove(store.highestOrder(STREAM), store.describe());
        try (transport; store; SpillReplayer replayer = new SpillReplayer(front,
                new ChannelSender(transport, clock, () -> false, Duration.ofSeconds(1), Duration.ofSeconds(2)))) {
            replayer.watch(channel);

            done.accept(channel);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(channel.spilled()).as("counted as held").isZero();
                assertThat(replayer.eventsWithSends()).as("events with a count of sends").isZero();
            });
            return front;
        } finally {
            channel.close();
            front.close(Duration.ofSeconds(1));
        }
    }
}
