package io.breakwater.eventbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.ManualClock;
import io.breakwater.spill.SpillException;
import io.breakwater.spill.SpillFullException;
import io.breakwater.spill.SpillStats;
import io.breakwater.spill.SpillStore;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spill's limits while appends are on their way, and closing a bus whose stores fail to close. */
class SpillLimitsAndCloseTest {

    private static final String STREAM = "orders";

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final List<EventBus> buses = new ArrayList<>();

    @AfterEach
    void closeBuses() {
        for (EventBus bus : buses) {
            catchThrowable(() -> bus.close(Duration.ofSeconds(1)));
        }
    }

    /**
     * A store of at most {@code maxEvents} whose appends wait for a permit of {@code appends}, and whose next stats(), once
     * {@code statsGate} is set, reads the store's counts, then waits for the gate to open before answering them.
     */
    private SpillStore gated(int maxEvents, Semaphore appends, AtomicReference<CountDownLatch[]> statsGate) {
        SqliteSpillStore store = SqliteSpillStore.builder(dir.resolve("gated.db")).maxEvents(maxEvents).open();
        return (SpillStore) Proxy.newProxyInstance(SpillStore.class.getClassLoader(), new Class<?>[] {SpillStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("append")) {
                        appends.acquireUninterruptibly();
                        appends.release();
                    }
                    Object result = invoke(store, method, args);
                    CountDownLatch[] gate = method.getName().equals("stats") ? statsGate.getAndSet(null) : null;
                    if (gate != null) {
                        gate[0].countDown();   // read
                        gate[1].await();       // answered once opened
                    }
                    return result;
                });
    }

    /** {@code store}, whose close() closes it, then throws. */
    private static SpillStore closeThrows(SpillStore store) {
        return (SpillStore) Proxy.newProxyInstance(SpillStore.class.getClassLoader(), new Class<?>[] {SpillStore.class},
                (proxy, method, args) -> {
                    Object result = invoke(store, method, args);
                    if (method.getName().equals("close")) {
                        throw new SpillException(store.describe(), "Spill " + store.describe() + " could not close: disk I/O error",
                                null);
                    }
                    return result;
                });
    }

    private static Object invoke(SpillStore store, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(store, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private EventBus bus(EventBusBuilder builder) {
        EventBus bus = builder.defaultChannelConfig(CircuitBreakerConfig.builder("template").clock(clock).build()).clock(clock)
                .build();
        buses.add(bus);
        return bus;
    }

    private RedpandaTransport transport() {
        return transport(false);
    }

    /** A transport over a mock that acknowledges every send at once ({@code acking}), or never. */
    private RedpandaTransport transport(boolean acking) {
        return RedpandaTransport.builder(new MockProducer<>(acking, null, new StringSerializer(), new ByteArraySerializer()))
                .nonBlocking(false).breakerConfig(CircuitBreakerConfig.builder("redpanda_transport").clock(clock).build()).build();
    }

    private static CompletableFuture<PublishResult> publish(EventBus bus, String stream, int seq) {
        return bus.publishStream(stream, "k", "{\"seq\":" + seq + "}", Map.of());
    }

    @Test
    void aFullSpillWhileEventsAreOnTheirWayInCountsThemAsHeldInWhatItSays() {
        Semaphore appends = new Semaphore(0);
        EventBus bus = bus(EventBus.builder(transport()).spill(gated(2, appends, new AtomicReference<>())));
        bus.channelBreaker(STREAM).forceOpen();
        CompletableFuture<PublishResult> first = publish(bus, STREAM, 0);
        CompletableFuture<PublishResult> second = publish(bus, STREAM, 1);

        CompletableFuture<PublishResult> third = publish(bus, STREAM, 2);

        assertThat(third).as("failed at once").isCompletedExceptionally();
        SpillFullException full = (SpillFullException) catchThrowable(third::join).getCause();
        assertThat(full.held().events()).as("the two on their way in").isEqualTo(2);
        assertThat(full.held().events() + full.appendEvents()).isGreaterThan(full.limitValue());
        assertThat(full).hasMessageContaining("maxEvents is 2, it holds 2 event(s)");
        appends.release(Integer.MAX_VALUE / 2);
        assertThat(first.join().spilled()).isTrue();
        assertThat(second.join().spilled()).isTrue();
    }

    /**
     * Regression: the store's counts were read before the event was counted as queued, so a batch appended in between
     * was counted in neither, and an event past the limit was taken, to fail later with its whole batch.
     */
    @Test
    void anEventPastTheLimitIsRefusedAtOnceThoughABatchWasAppendedWhileItsCountsWereRead() throws Exception {
        Semaphore appends = new Semaphore(0);
        AtomicReference<CountDownLatch[]> statsGate = new AtomicReference<>();
        EventBus bus = bus(EventBus.builder(transport()).spill(gated(1, appends, statsGate)));
        bus.channelBreaker(STREAM).forceOpen();
        CompletableFuture<PublishResult> first = publish(bus, STREAM, 0);   // its append waits
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        statsGate.set(new CountDownLatch[] {read, answer});
        CompletableFuture<CompletableFuture<PublishResult>> second = CompletableFuture.supplyAsync(() -> publish(bus, STREAM, 1));
        assertThat(read.await(10, TimeUnit.SECONDS)).as("the second publish read the store's counts").isTrue();
        appends.release(Integer.MAX_VALUE / 2);
        assertThat(first.get(10, TimeUnit.SECONDS).spilled()).isTrue();   // appended while the counts were being read
        answer.countDown();

        CompletableFuture<PublishResult> refused = second.get(10, TimeUnit.SECONDS);

        assertThat(refused).as("refused at once, not taken past the limit").isCompletedExceptionally();
        assertThat(catchThrowable(refused::join)).cause().isInstanceOf(SpillFullException.class)
                .hasMessageContaining("maxEvents is 1");
    }

    @Test
    void aSpillThatRefusesEventsForRoomMakesTheBusUnhealthyThoughNoBreakerIsOpenUntilItsReplayFreesIt() {
        SqliteSpillStore sqlite = SqliteSpillStore.builder(dir.resolve("small.db")).maxEvents(10).open();
        Semaphore replay = new Semaphore(0);   // the replay reads nothing from the spill until released
        SpillStore store = (SpillStore) Proxy.newProxyInstance(SpillStore.class.getClassLoader(),
                new Class<?>[] {SpillStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("oldest")) {
                        replay.acquireUninterruptibly();
                        replay.release();
                    }
                    return invoke(sqlite, method, args);
                });
        EventBus bus = bus(EventBus.builder(transport(true)).spill(store));
        bus.channelBreaker(STREAM).forceOpen();
        for (int seq = 0; seq < 10; seq++) {
            assertThat(publish(bus, STREAM, seq).join().spilled()).isTrue();
        }
        bus.channelBreaker(STREAM).reset();

        CompletableFuture<PublishResult> refused = publish(bus, STREAM, 10);   // behind the 10 still in the spill

        assertThat(catchThrowable(refused::join)).cause().isInstanceOf(SpillFullException.class);
        HealthReport health = bus.health();
        assertThat(health.openCircuits()).isEmpty();
        assertThat(health.healthy()).as("no breaker refuses, but the spill does").isFalse();
        assertThat(health.spills()).singleElement().satisfies(spill -> {
            assertThat(spill.full()).isTrue();
            assertThat(spill.refusedFull()).isEqualTo(1);
        });
        assertThat(health.toJson()).contains("\"healthy\":false", "\"refused_full\":1", "\"full\":true");

        replay.release(Integer.MAX_VALUE / 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> bus.spillStatus().get(0).pending() == 0);
        assertThat(bus.health().healthy()).isTrue();
        assertThat(bus.spillStatus().get(0)).satisfies(spill -> {
            assertThat(spill.full()).as("room again").isFalse();
            assertThat(spill.refusedFull()).as("a count from the start").isEqualTo(1);
        });
    }

    @Test
    void closingABusClosesEveryStoreThoughOneFailsToCloseAndThrowsWhatTheyThrew() {
        Path busFile = dir.resolve("bus.db");
        Path streamFile = dir.resolve("stream.db");
        EventBus bus = bus(EventBus.builder(transport())
                .spill(closeThrows(SqliteSpillStore.open(busFile)))
                .spill("payments", closeThrows(SqliteSpillStore.open(streamFile))));

        assertThatThrownBy(() -> bus.close(Duration.ofSeconds(1))).isInstanceOf(SpillException.class)
                .hasMessageContaining("could not close").satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));

        // Each store's file is free again: in SQLite's exclusive locking mode an open store would hold it.
        for (Path file : List.of(busFile, streamFile)) {
            try (SqliteSpillStore reopened = SqliteSpillStore.open(file)) {
                assertThat(reopened.stats()).as("%s", file.getFileName()).isEqualTo(SpillStats.EMPTY);
            }
        }
    }
}
