package io.breakwater.spill.internal;

import io.breakwater.spill.SpillStats;
import io.breakwater.spill.SpilledEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a store holds, kept in memory so that stats, streams and the full check read no table: counts and
 * bytes, the oldest spill time, and per stream its events and highest order. Immutable; a store swaps in a new
 * one after each commit.
 *
 * @param oldest the smallest spilledAtMillis held, -1 when empty, {@link #UNKNOWN} after the oldest was removed
 */
record Holdings(long events, long bytes, long oldest, Map<String, Stream> perStream) {

    /**
     * A stream's events held, and the highest order among them: exact when loaded, raised by appends, and kept by
     * removals until the stream holds none (so it may be above what is left; below only after a write whose commit
     * was reported failed but happened, until the counts are loaded again).
     */
    record Stream(long events, long highestOrder) {
    }

    static final long UNKNOWN = -2;
    static final Holdings EMPTY = new Holdings(0, 0, -1, Map.of());

    Holdings {
        perStream = Map.copyOf(perStream);
    }

    SpillStats stats() {
        return new SpillStats(events, bytes, oldest);
    }

    Set<String> streams() {
        return perStream.keySet();
    }

    boolean holds(String stream) {
        return perStream.containsKey(stream);
    }

    long events(String stream) {
        Stream held = perStream.get(stream);
        return held == null ? 0 : held.events();
    }

    long highestOrder(String stream) {
        Stream held = perStream.get(stream);
        return held == null ? Long.MIN_VALUE : held.highestOrder();
    }

    /** These, plus the events just appended. */
    Holdings plus(List<SpilledEvent> appended, long appendedBytes) {
        Map<String, Stream> streams = new HashMap<>(perStream);
        long min = oldest < 0 ? Long.MAX_VALUE : oldest;
        for (SpilledEvent event : appended) {
            streams.merge(event.stream(), new Stream(1, event.order()),
                    (held, one) -> new Stream(held.events() + 1, Math.max(held.highestOrder(), one.highestOrder())));
            min = Math.min(min, event.spilledAtMillis());
        }
        return new Holdings(events + appended.size(), bytes + appendedBytes, oldest == UNKNOWN ? UNKNOWN : min, streams);
    }

    /** These, less what a delete took: {@link #UNKNOWN} oldest when it may have taken the oldest. */
    Holdings minus(Removed removed) {
        if (removed.events() == 0) {
            return this;
        }
        Map<String, Stream> streams = new HashMap<>(perStream);
        removed.perStream().forEach((stream, count) -> streams.computeIfPresent(stream,
                (s, held) -> held.events() > count ? new Stream(held.events() - count, held.highestOrder()) : null));
        long left = events - removed.events();
        long min = left == 0 ? -1 : removed.oldest() <= oldest || oldest == UNKNOWN ? UNKNOWN : oldest;
        return new Holdings(left, bytes - removed.bytes(), min, streams);
    }

    Holdings withOldest(long oldest) {
        return new Holdings(events, bytes, oldest, perStream);
    }

    /** What a delete took: how many events of how many bytes, per stream, and the oldest spilledAtMillis. */
    record Removed(long events, long bytes, long oldest, Map<String, Long> perStream) {
    }
}
