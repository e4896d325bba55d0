package io.breakwater.eventbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.spill.SpillStats;
import io.breakwater.spill.SpillStore;
import io.breakwater.spill.SpilledEvent;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream leaves its spill under a load so steady that one of its events is always on its way into the spill (the
 * EventBus javadoc: the replay's cut-over). One caller publishes about 5,000 events a second, without a pause, to a
 * producer that acknowledges every send; the stream's breaker is forced open for a moment, then reset. Within seconds,
 * with the load still on, publishes must go directly again and the spill must empty; and the producer must have been
 * handed every event once, in the order it was published.
 */
class SpillCutOverTest {

    private static final String STREAM = "ticks";
    private static final int PER_MILLI = 5;

    @TempDir
    Path dir;

    record Tick(long seq) {
    }

    /**
     * A spill on a disk whose commit takes 5 ms (a network volume, say): with 5 events a millisecond, some are always on
     * their way in, so no replayed batch can hold every event of the stream.
     */
    record SlowAppends(SpillStore store) implements SpillStore {
        @Override
        public List<SpilledEvent> append(List<SpilledEvent> events) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));   // the commit's latency, not a wait for anything
            return store.append(events);
        }

        @Override
        public List<SpilledEvent> oldest(String stream, int max) {
            return store.oldest(stream, max);
        }

        @Override
        public void remove(List<SpilledEvent> events) {
            store.remove(events);
        }

        @Override
        public long highestOrder(String stream) {
            return store.highestOrder(stream);
        }

        @Override
        public Set<String> streams() {
            return store.streams();
        }

        @Override
        public long events(String stream) {
            return store.events(stream);
        }

        @Override
        public SpillStats stats() {
            return store.stats();
        }

        @Override
        public long maxEvents() {
            return store.maxEvents();
        }

        @Override
        public long maxBytes() {
            return store.maxBytes();
        }

        @Override
        public String describe() {
            return store.describe();
        }

        @Override
        public void close() {
            store.close();
        }
    }

    @Test
    @Timeout(60)
    void aStreamUnderASteadyHeavyLoadLeavesTheSpillAndKeepsItsOrder() throws Exception {
        MockProducer<String, byte[]> mock = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        RedpandaTransport transport = RedpandaTransport.builder(mock).build();
        SpillStore store = new SlowAppends(SqliteSpillStore.open(dir.resolve("spill.db")));
        try (EventBus bus = EventBus.builder(transport).spill(store).build()) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong published = new AtomicLong();
            AtomicLong spilled = new AtomicLong();
            AtomicLong direct = new AtomicLong();
            AtomicLong directAfterReset = new AtomicLong();
            AtomicLong resetAt = new AtomicLong(Long.MAX_VALUE);
            AtomicLong firstDirectAfterReset = new AtomicLong(Long.MAX_VALUE);
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<PublishResult>> results = new ArrayList<>();
            Thread caller = new Thread(() -> {
                long next = System.nanoTime();
                for (long seq = 0; running.get(); seq++) {
                    CompletableFuture<PublishResult> result = bus.publishStream(STREAM, "k", new Tick(seq), Map.of());
                    result.whenComplete((r, e) -> {
                        if (e != null) {
                            failures.add(e);
                        } else if (r.spilled()) {
                            spilled.incrementAndGet();
                        } else {
                            direct.incrementAndGet();
                            long reset = resetAt.get();
                            if (reset != Long.MAX_VALUE) {
                                firstDirectAfterReset.compareAndSet(Long.MAX_VALUE, System.nanoTime() - reset);
                            }
                            if (reset != Long.MAX_VALUE && System.nanoTime() - reset > TimeUnit.MILLISECONDS.toNanos(500)) {
                                directAfterReset.incrementAndGet();
                            }
                        }
                    });
                    results.add(result);
                    published.incrementAndGet();
                    if (seq % PER_MILLI == PER_MILLI - 1) {   // about 5,000 a second, paced by the clock, not by sleeps
                        next += 1_000_000;
                        LockSupport.parkNanos(next - System.nanoTime());
                    }
                }
            }, "steady-caller");
            caller.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> direct.get() >= 2_000);
            bus.channelBreaker(STREAM).forceOpen();
            await().atMost(Duration.ofSeconds(10)).until(() -> spilled.get() >= 5_000);
            resetAt.set(System.nanoTime());
            bus.channelBreaker(STREAM).reset();

            await("publishes going directly again, and the spill empty, with the load still on").atMost(Duration.ofSeconds(15))
                    .failFast("a publish failed", () -> !failures.isEmpty())
                    .until(() -> directAfterReset.get() >= 5_000 && bus.spillStatus().get(0).pending() == 0);
            long spilledBeforeLastSecond = spilled.get();
            long publishedBefore = published.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> published.get() >= publishedBefore + 5_000);
            running.set(false);
            caller.join();
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> bus.spillStatus().get(0).pending() == 0);

            System.out.printf("SpillCutOverTest: %d events, %d spilled; the first direct acknowledgement %d ms after the reset%n",
                    published.get(), spilled.get(), firstDirectAfterReset.get() / 1_000_000);
            assertThat(failures).isEmpty();
            assertThat(bus.spillStatus().get(0).held()).as("none held at the end").isZero();
            assertThat(spilled.get()).as("no publish spilled in the last second, the cluster being fine")
                    .isEqualTo(spilledBeforeLastSecond);
            List<Long> sent = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            for (ProducerRecord<String, byte[]> record : mock.history()) {
                String id = new String(record.headers().lastHeader(EventBus.EVENT_ID_HEADER).value(), StandardCharsets.UTF_8);
                assertThat(ids.add(id)).as("event %s handed to the producer once", id).isTrue();
                String value = new String(record.value(), StandardCharsets.UTF_8);
                sent.add(Long.parseLong(value.replaceAll("\\D", "")));
            }
            assertThat(sent).as("every event, once, in the order published (%d spilled)", spilled.get())
                    .hasSize((int) published.get()).isSorted();
        }
    }
}
