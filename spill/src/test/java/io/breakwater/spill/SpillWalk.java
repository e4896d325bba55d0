package io.breakwater.spill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A seeded random walk over a store, checked after every step against a model written from the
 * {@link SpillStore} javadoc: a list of held events. Appends (some too big, some repeating a held eventId),
 * reads, removals of held, removed and never-appended events, and reopenings. Every failure names the seed
 * and the step; {@code -Dbreakwater.spill.seed=N} replays a walk.
 */
final class SpillWalk {

    static final String SEED_PROPERTY = "breakwater.spill.seed";
    private static final List<String> STREAMS = List.of("orders", "payments", "audit");

    private final Random random;
    private final Supplier<SpillStore> reopen;
    private final long maxEvents;
    private final long maxBytes;
    // The model: what the store holds, and everything it ever gave back (to remove again).
    private final List<SpilledEvent> held = new ArrayList<>();
    private final List<SpilledEvent> gone = new ArrayList<>();
    private long lastSequence;
    private SpillStore store;
    // What the walk did, printed at its end: [appended, refused as full by events, by bytes, duplicates, reopenings].
    private final int[] done = new int[5];

    SpillWalk(long seed, SpillStore store, Supplier<SpillStore> reopen) {
        this.random = new Random(seed);
        this.store = store;
        this.reopen = reopen;
        this.maxEvents = store.maxEvents();
        this.maxBytes = store.maxBytes();
    }

    static long seed() {
        return Long.getLong(SEED_PROPERTY, new Random().nextLong());
    }

    /** Runs the walk; returns the store it ended with (reopenings replace it). */
    SpillStore run(int steps) {
        for (int step = 0; step < steps; step++) {
            try {
                step();
            } catch (AssertionError e) {
                throw new AssertionError("step " + step + " of the walk: " + e.getMessage(), e);
            }
        }
        System.out.println("walk of " + steps + " steps: " + done[0] + " appends, " + done[1] + " refused by maxEvents, "
                + done[2] + " by maxBytes, " + done[3] + " duplicates refused, " + done[4] + " reopenings; " + held.size()
                + " event(s) held at the end");
        return store;
    }

    private void step() {
        int dice = random.nextInt(100);
        if (dice < 40) {
            append();
        } else if (dice < 65) {
            oldest();
        } else if (dice < 92) {
            remove();
        } else if (dice < 97) {
            duplicate();
        } else {
            store.close();
            store = reopen.get();
            done[4]++;
        }
        check();
    }

    private void append() {
        List<SpilledEvent> batch = new ArrayList<>();
        for (int i = 1 + random.nextInt(random.nextInt(10) == 0 ? 30 : 4); i > 0; i--) {
            batch.add(randomEvent());
        }
        long bytes = batch.stream().mapToLong(SpilledEvent::sizeBytes).sum();
        long heldBytes = held.stream().mapToLong(SpilledEvent::sizeBytes).sum();
        if (held.size() + batch.size() > maxEvents || heldBytes + bytes > maxBytes) {
            String limit = held.size() + batch.size() > maxEvents ? "maxEvents" : "maxBytes";
            assertThatThrownBy(() -> store.append(batch)).isInstanceOf(SpillFullException.class)
                    .satisfies(e -> assertThat(((SpillFullException) e).limit()).isEqualTo(limit));
            done[limit.equals("maxEvents") ? 1 : 2]++;
            return;
        }
        List<SpilledEvent> stored = store.append(batch);
        assertThat(stored).hasSize(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            assertThat(stored.get(i).sequence()).isGreaterThan(lastSequence);
            assertThat(stored.get(i)).isEqualTo(batch.get(i).withSequence(stored.get(i).sequence()));
            lastSequence = stored.get(i).sequence();
        }
        held.addAll(stored);
        done[0]++;
    }

    private SpilledEvent randomEvent() {
        Map<String, String> headers = new HashMap<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            headers.put("h" + random.nextInt(5), random.nextBoolean() ? null : "v" + random.nextInt(1000));
        }
        byte[] payload = new byte[random.nextInt(random.nextInt(8) == 0 ? 400 : 40)];
        random.nextBytes(payload);
        return SpilledEvent.of(STREAMS.get(random.nextInt(STREAMS.size())), "topic", random.nextBoolean() ? null : "k",
                payload, headers, random.nextInt(8), random.nextInt(50));
    }

    private void oldest() {
        String stream = STREAMS.get(random.nextInt(STREAMS.size()));
        int max = 1 + random.nextInt(8);
        List<SpilledEvent> expected = held.stream().filter(e -> e.stream().equals(stream))
                .sorted(Comparator.comparingLong(SpilledEvent::order).thenComparingLong(SpilledEvent::sequence))
                .limit(max).toList();
        assertThat(store.oldest(stream, max)).containsExactlyElementsOf(expected);
        long highest = held.stream().filter(e -> e.stream().equals(stream)).mapToLong(SpilledEvent::order).max()
                .orElse(Long.MIN_VALUE);
        if (highest == Long.MIN_VALUE) {
            assertThat(store.highestOrder(stream)).as("highest order of %s, which holds none", stream).isEqualTo(highest);
        } else {
            assertThat(store.highestOrder(stream)).as("highest order of %s, or above it", stream)
                    .isGreaterThanOrEqualTo(highest);
        }
    }

    private void remove() {
        List<SpilledEvent> chosen = new ArrayList<>();
        for (SpilledEvent e : held) {
            if (random.nextInt(3) == 0) {
                chosen.add(e);
            }
        }
        if (!gone.isEmpty() && random.nextBoolean()) {
            chosen.add(gone.get(random.nextInt(gone.size())));
        }
        if (random.nextInt(4) == 0) {
            chosen.add(randomEvent());
        }
        store.remove(chosen);
        held.removeAll(chosen);
        gone.addAll(chosen);
    }

    private void duplicate() {
        if (held.isEmpty()) {
            return;
        }
        SpilledEvent again = held.get(random.nextInt(held.size()));
        List<SpilledEvent> batch = List.of(randomEvent(), again.withSequence(0));
        assertThatThrownBy(() -> store.append(batch)).isInstanceOf(RuntimeException.class)
                .satisfies(e -> assertThat(e).isInstanceOfAny(IllegalArgumentException.class, SpillFullException.class));
        done[3]++;
    }

    private void check() {
        long bytes = held.stream().mapToLong(SpilledEvent::sizeBytes).sum();
        long oldest = held.stream().mapToLong(SpilledEvent::spilledAtMillis).min().orElse(-1);
        assertThat(store.stats()).isEqualTo(new SpillStats(held.size(), bytes, oldest));
        Set<String> streams = held.stream().map(SpilledEvent::stream).collect(Collectors.toSet());
        assertThat(store.streams()).isEqualTo(streams);
    }
}
