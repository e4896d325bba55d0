package io.breakwater.spill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SpillStore} does, as its javadoc says, run on each implementation: order, isolation,
 * counts, limits, reopening, closing, bad input, concurrency.
 */
abstract class SpillStoreContract {

    private final List<SpillStore> opened = new ArrayList<>();

    /** Opens the store of this test with these limits: the same place each time, so a second open reopens it. */
    protected abstract SpillStore openStore(long maxEvents, long maxBytes);

    protected SpillStore open(long maxEvents, long maxBytes) {
        SpillStore store = openStore(maxEvents, maxBytes);
        opened.add(store);
        return store;
    }

    protected SpillStore open() {
        return open(1_000_000, 1L << 30);
    }

    @AfterEach
    protected void closeStores() {
        opened.forEach(SpillStore::close);
    }

    static SpilledEvent event(String stream, long order) {
        return SpilledEvent.of(stream, "topic-" + stream, "key-" + order, ("payload " + order).getBytes(StandardCharsets.UTF_8),
                Map.of("h", "v"), order, 1_000 + order);
    }

    static SpilledEvent sized(String stream, long order, int payloadBytes) {
        return SpilledEvent.of(stream, "t", null, new byte[payloadBytes], Map.of(), order, 5);
    }

    @Test
    void appendGivesIncreasingSequencesInTheOrderGiven() {
        SpillStore store = open();
        List<SpilledEvent> given = List.of(event("a", 3), event("a", 1), event("b", 2));

        List<SpilledEvent> stored = store.append(given);

        assertThat(stored).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(stored.get(i)).isEqualTo(given.get(i).withSequence(stored.get(i).sequence()));
        }
        assertThat(stored.get(0).sequence()).isPositive();
        assertThat(stored.get(1).sequence()).isGreaterThan(stored.get(0).sequence());
        assertThat(stored.get(2).sequence()).isGreaterThan(stored.get(1).sequence());
        assertThat(store.append(List.of(event("a", 9))).get(0).sequence()).isGreaterThan(stored.get(2).sequence());
    }

    @Test
    void everyFieldComesBackAsAppended() {
        SpillStore store = open();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("trace", "abc");
        headers.put("empty", "");
        headers.put("none", null);
        headers.put("ünïcødé \"quoted\" \\ \n\t", "😀 \u0001 \u007f </script>");
        byte[] payload = new byte[256];
        IntStream.range(0, 256).forEach(i -> payload[i] = (byte) i);
        SpilledEvent withKey = new SpilledEvent(0, "id-1", "orders", "orders-topic", "käy 😀", payload, headers, -7, 42);
        SpilledEvent noKey = new SpilledEvent(0, "id-2", "orders", "orders-topic", null, new byte[0], Map.of(), Long.MAX_VALUE, 0);

        List<SpilledEvent> stored = store.append(List.of(withKey, noKey));

        assertThat(store.oldest("orders", 10)).containsExactlyElementsOf(stored);
        assertThat(store.oldest("orders", 10).get(0).headers()).containsExactlyEntriesOf(headers);
    }

    @Test
    void oldestGoesByOrderThenBySequence() {
        SpillStore store = open();
        SpilledEvent five = store.append(List.of(event("s", 5))).get(0);
        List<SpilledEvent> batch = store.append(List.of(event("s", 2), event("s", 5), event("s", -1)));
        SpilledEvent laterTwo = store.append(List.of(event("s", 2))).get(0);

        assertThat(store.oldest("s", 10)).containsExactly(batch.get(2), batch.get(0), laterTwo, five, batch.get(1));
        assertThat(store.oldest("s", 2)).containsExactly(batch.get(2), batch.get(0));
    }

    @Test
    void streamsAreKeptApart() {
        SpillStore store = open();
        List<SpilledEvent> a = store.append(List.of(event("a", 1), event("a", 2)));
        List<SpilledEvent> b = store.append(List.of(event("b", 0)));

        assertThat(store.streams()).containsExactlyInAnyOrder("a", "b");
        assertThat(store.oldest("a", 10)).containsExactlyElementsOf(a);
        assertThat(store.oldest("b", 10)).containsExactlyElementsOf(b);
        assertThat(store.oldest("c", 10)).isEmpty();
        assertThat(store.events("a")).isEqualTo(2);
        assertThat(store.events("b")).isEqualTo(1);
        assertThat(store.events("c")).isZero();

        store.remove(b);
        assertThat(store.streams()).containsExactly("a");
        assertThat(store.events("b")).isZero();
        assertThat(store.oldest("a", 10)).containsExactlyElementsOf(a);
    }

    @Test
    void highestOrderIsTheLargestOrderAStreamHoldsAndSurvivesAReopen() {
        SpillStore store = open();
        assertThat(store.highestOrder("s")).isEqualTo(Long.MIN_VALUE);
        List<SpilledEvent> stored = store.append(List.of(event("s", 7), event("s", -3), event("s", 12), event("t", 99)));
        assertThat(store.highestOrder("s")).isEqualTo(12);
        assertThat(store.highestOrder("t")).isEqualTo(99);
        assertThat(store.highestOrder("u")).isEqualTo(Long.MIN_VALUE);
        store.append(List.of(event("s", 10)));
        assertThat(store.highestOrder("s")).isEqualTo(12);

        store.remove(List.of(stored.get(2), stored.get(3)));
        assertThat(store.highestOrder("s")).as("the highest held, or above it").isBetween(10L, 12L);
        assertThat(store.highestOrder("t")).isEqualTo(Long.MIN_VALUE);
        store.close();

        SpillStore reopened = open();
        assertThat(reopened.highestOrder("s")).isEqualTo(10);
        reopened.remove(reopened.oldest("s", 10));
        assertThat(reopened.highestOrder("s")).isEqualTo(Long.MIN_VALUE);
        assertThatThrownBy(() -> reopened.highestOrder(null)).isInstanceOf(NullPointerException.class).hasMessage("stream");
        assertThatThrownBy(() -> reopened.events(null)).as("an empty store").isInstanceOf(NullPointerException.class)
                .hasMessage("stream");
    }

    @Test
    void removeTakesTheGivenSequencesAndIgnoresTheRest() {
        SpillStore store = open();
        List<SpilledEvent> stored = store.append(List.of(event("s", 1), event("s", 2), event("s", 3)));
        SpilledEvent neverAppended = event("s", 4);
        SpilledEvent unknown = stored.get(0).withSequence(stored.get(2).sequence() + 1_000);

        store.remove(List.of(stored.get(1), neverAppended, unknown, stored.get(1)));
        store.remove(List.of(stored.get(1)));
        store.remove(List.of());

        assertThat(store.oldest("s", 10)).containsExactly(stored.get(0), stored.get(2));
        assertThat(store.stats().events()).isEqualTo(2);
    }

    @Test
    void statsCountEventsBytesAndTheOldestSpillTime() {
        SpillStore store = open();
        assertThat(store.stats()).isEqualTo(SpillStats.EMPTY);

        SpilledEvent late = new SpilledEvent(0, "late", "s", "t", "k", new byte[10], Map.of("ab", "cd"), 1, 2_000);
        SpilledEvent early = new SpilledEvent(0, "early", "z", "t", null, new byte[5], Map.of(), 2, 1_000);
        List<SpilledEvent> stored = store.append(List.of(late, early));
        assertThat(store.stats()).isEqualTo(new SpillStats(2, 15 + 5, 1_000));

        store.remove(List.of(stored.get(1)));
        assertThat(store.stats()).isEqualTo(new SpillStats(1, 15, 2_000));
        store.remove(List.of(stored.get(0)));
        assertThat(store.stats()).isEqualTo(SpillStats.EMPTY);
        assertThat(store.streams()).isEmpty();
    }

    @Test
    void aFullStoreRefusesTheWholeAppendByEvents() {
        SpillStore store = open(3, 1L << 30);
        store.append(List.of(event("s", 1), event("s", 2)));
        SpillStats before = store.stats();

        assertThatThrownBy(() -> store.append(List.of(event("s", 3), event("s", 4))))
                .isInstanceOf(SpillFullException.class)
                .hasMessage("Spill " + store.describe() + " is full: maxEvents is 3, it holds 2 event(s) of "
                        + before.bytes() + " bytes, and the append brought 2 event(s) of "
                        + (event("s", 3).sizeBytes() * 2) + " bytes. Nothing was appended")
                .satisfies(e -> {
                    SpillFullException full = (SpillFullException) e;
                    assertThat(full.limit()).isEqualTo("maxEvents");
                    assertThat(full.limitValue()).isEqualTo(3);
                    assertThat(full.held()).isEqualTo(before);
                    assertThat(full.store()).isEqualTo(store.describe());
                });
        assertThat(store.stats()).isEqualTo(before);
        assertThat(store.oldest("s", 10)).hasSize(2);
        store.append(List.of(event("s", 3)));
        assertThat(store.stats().events()).isEqualTo(3);
    }

    @Test
    void aFullStoreRefusesTheWholeAppendByBytes() {
        SpillStore store = open(1_000, 100);
        store.append(List.of(sized("s", 1, 60)));

        assertThatThrownBy(() -> store.append(List.of(sized("s", 2, 20), sized("s", 3, 21))))
                .isInstanceOf(SpillFullException.class)
                .hasMessageContaining("is full: maxBytes is 100, it holds 1 event(s) of 60 bytes, and the append brought "
                        + "2 event(s) of 41 bytes. Nothing was appended");
        assertThat(store.stats()).isEqualTo(new SpillStats(1, 60, 5));
        store.append(List.of(sized("s", 2, 40)));
        assertThat(store.stats().bytes()).isEqualTo(100);
    }

    @Test
    void aSecondOpenAfterCloseSeesEverything() {
        SpillStore first = open();
        List<SpilledEvent> kept = first.append(List.of(event("a", 1), event("b", 2), event("a", 0)));
        first.remove(List.of(kept.get(1)));
        SpillStats stats = first.stats();
        first.close();

        SpillStore second = open();

        assertThat(second.stats()).isEqualTo(stats);
        assertThat(second.streams()).containsExactly("a");
        assertThat(second.oldest("a", 10)).containsExactly(kept.get(2), kept.get(0));
        assertThat(second.append(List.of(event("a", 5))).get(0).sequence()).isGreaterThan(kept.get(2).sequence());
    }

    @Test
    void aClosedStoreSaysSo() {
        SpillStore store = open();
        store.close();
        store.close();

        String closed = "Spill " + store.describe() + " is closed";
        assertThatThrownBy(() -> store.append(List.of(event("s", 1)))).isInstanceOf(IllegalStateException.class).hasMessage(closed);
        assertThatThrownBy(() -> store.append(List.of())).isInstanceOf(IllegalStateException.class).hasMessage(closed);
        assertThatThrownBy(() -> store.oldest("s", 1)).isInstanceOf(IllegalStateException.class).hasMessage(closed);
        assertThatThrownBy(() -> store.highestOrder("s")).isInstanceOf(IllegalStateException.class).hasMessage(closed);
        assertThatThrownBy(() -> store.remove(List.of())).isInstanceOf(IllegalStateException.class).hasMessage(closed);
        assertThatThrownBy(store::streams).isInstanceOf(IllegalStateException.class).hasMessage(closed);
        assertThatThrownBy(store::stats).isInstanceOf(IllegalStateException.class).hasMessage(closed);
    }

    @Test
    void badArgumentsAreRefusedAndNothingIsAppended() {
        SpillStore store = open();
        SpilledEvent held = store.append(List.of(event("s", 1))).get(0);
        SpilledEvent fresh = event("s", 2);

        assertThatThrownBy(() -> store.append(null)).isInstanceOf(NullPointerException.class).hasMessage("events");
        assertThatThrownBy(() -> store.append(Arrays.asList(fresh, null)))
                .isInstanceOf(NullPointerException.class).hasMessage("events[1] is null");
        assertThatThrownBy(() -> store.append(List.of(fresh, fresh)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("events holds eventId " + fresh.eventId() + " twice, the second at events[1]; an event is appended once");
        assertThatThrownBy(() -> store.append(List.of(fresh, held)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Spill " + store.describe() + " holds 1 of these events already, such as eventId " + held.eventId()
                        + "; an event is appended once. Nothing was appended");
        assertThatThrownBy(() -> store.oldest(null, 1)).isInstanceOf(NullPointerException.class).hasMessage("stream");
        assertThatThrownBy(() -> store.events(null)).as("a store that holds events").isInstanceOf(NullPointerException.class)
                .hasMessage("stream");
        assertThatThrownBy(() -> store.oldest("s", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("max must be > 0, but was 0");
        assertThatThrownBy(() -> store.remove(null)).isInstanceOf(NullPointerException.class).hasMessage("events");

        assertThat(store.oldest("s", 10)).containsExactly(held);
        assertThat(store.stats().events()).isEqualTo(1);
        assertThat(store.append(List.of(fresh))).hasSize(1);
    }

    @Test
    void batchesLargerThanOneStatementGoInWhole() {
        SpillStore store = open();
        List<SpilledEvent> events = IntStream.range(0, 1_234).mapToObj(i -> event("s", 1_234 - i)).toList();

        List<SpilledEvent> stored = store.append(events);

        assertThat(store.stats().events()).isEqualTo(1_234);
        List<SpilledEvent> oldest = store.oldest("s", 2_000);
        assertThat(oldest).hasSize(1_234);
        assertThat(oldest.get(0)).isEqualTo(stored.get(1_233));
        store.remove(stored);
        assertThat(store.stats()).isEqualTo(SpillStats.EMPTY);
    }

    @Test
    void aRandomWalkAgreesWithTheModel() {
        long seed = SpillWalk.seed();
        System.out.println(getClass().getSimpleName() + " walk seed " + seed + " (replay: -D" + SpillWalk.SEED_PROPERTY + "="
                + seed + ")");
        try {
            new SpillWalk(seed, open(25, 1_000), () -> open(25, 1_000)).run(300);
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + ", " + e.getMessage(), e);
        }
    }

    @Test
    void oneThreadAppendsWhileAnotherReadsAndRemoves() throws Exception {
        SpillStore store = open();
        int batches = 150;
        int perBatch = 4;
        AtomicBoolean appending = new AtomicBoolean(true);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            Future<?> appender = threads.submit(() -> {
                try {
                    for (int b = 0; b < batches; b++) {
                        int base = b * perBatch;
                        store.append(IntStream.range(0, perBatch).mapToObj(i -> event(i % 2 == 0 ? "even" : "odd", base + i)).toList());
                    }
                } finally {
                    appending.set(false);
                }
                return null;
            });
            Future<Map<String, List<SpilledEvent>>> remover = threads.submit(() -> {
                Map<String, List<SpilledEvent>> removed = new HashMap<>(Map.of("even", new ArrayList<>(), "odd", new ArrayList<>()));
                while (appending.get() || store.stats().events() > 0) {
                    for (String stream : store.streams()) {
                        List<SpilledEvent> oldest = store.oldest(stream, 7);
                        store.remove(oldest);
                        removed.get(stream).addAll(oldest);
                    }
                    Thread.onSpinWait();
                }
                return removed;
            });
            Future<?> reader = threads.submit(() -> {
                while (appending.get()) {
                    SpillStats stats = store.stats();
                    assertThat(stats.events()).isBetween(0L, (long) batches * perBatch);
                    assertThat(stats.oldestSpilledAtMillis() == -1).isEqualTo(stats.events() == 0);
                    Thread.onSpinWait();
                }
                return null;
            });

            appender.get(60, TimeUnit.SECONDS);
            Map<String, List<SpilledEvent>> removed = remover.get(60, TimeUnit.SECONDS);
            reader.get(60, TimeUnit.SECONDS);

            assertThat(store.stats()).isEqualTo(SpillStats.EMPTY);
            assertThat(store.streams()).isEmpty();
            for (List<SpilledEvent> stream : removed.values()) {
                assertThat(stream).hasSize(batches * perBatch / 2);
                assertThat(stream).extracting(SpilledEvent::order).isSorted().doesNotHaveDuplicates();
            }
            Set<Long> sequences = new java.util.HashSet<>();
            removed.values().forEach(list -> list.forEach(e -> sequences.add(e.sequence())));
            assertThat(sequences).hasSize(batches * perBatch);
        } finally {
            threads.shutdownNow();
        }
    }
}
