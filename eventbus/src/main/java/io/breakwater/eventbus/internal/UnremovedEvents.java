package io.breakwater.eventbus.internal;

import io.breakwater.spill.SpillStore;
import io.breakwater.spill.SpilledEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replayed events that Kafka acknowledged but whose removal from the spill failed (a database that refuses the delete,
 * or turned read-only), per stream: they went through, so they are never sent again from here; they are removed again
 * before the stream's next batch is read (which would send them again), backing off from the first wait to {@link
 * #MAX_BACKOFF}. A WARN tells the first failure, and later ones at most once a minute. The replay thread's only.
 */
final class UnremovedEvents {

    private static final Logger LOG = LoggerFactory.getLogger(SpillReplayer.class);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** What is done once events are removed: {@code replayed} of them were sent, the last {@code unsendable} if not null. */
    interface Removed {
        void removed(StreamChannel channel, List<SpilledEvent> events, int replayed, Throwable unsendable);
    }

    private record Left(List<SpilledEvent> events, int replayed, Throwable unsendable, long retryAt, long backoffNanos,
                        int tries) {
    }

    private final long firstWaitNanos;
    private final Map<String, Left> left = new HashMap<>();
    private long lastWarnNanos = System.nanoTime() - TimeUnit.MINUTES.toNanos(2);

    UnremovedEvents(Duration firstWait) {
        this.firstWaitNanos = firstWait.toNanos();
    }

    /** The removal of {@code events} of {@code stream}, acknowledged, failed with {@code e}. */
    void failed(String stream, List<SpilledEvent> events, int replayed, Throwable unsendable, String store, Throwable e) {
        long now = System.nanoTime();
        left.put(stream, new Left(List.copyOf(events), replayed, unsendable, now + firstWaitNanos, firstWaitNanos, 1));
        lastWarnNanos = now;
        LOG.warn("Removing {} replayed event(s) of stream '{}' from {} failed; Kafka has them, so they are not sent "
                + "again: their removal is tried again, backing off to every {} s, before the stream's next events are "
                + "read", events.size(), stream, store, MAX_BACKOFF.toSeconds(), e);
    }

    /**
     * Whether {@code channel}'s next batch may be read: none of its events waits to be removed, or they were removed now
     * (counted as held no longer, and {@code then} told). False while they wait for their next try ({@code now}: tried
     * at once all the same), or a try failed.
     */
    boolean cleared(StreamChannel channel, SpillStore store, Removed then, boolean now) {
        Left events = left.get(channel.stream);
        if (events == null) {
            return true;
        }
        long at = System.nanoTime();
        if (!now && at - events.retryAt() < 0) {
            return false;
        }
        try {
            store.remove(events.events());
        } catch (Throwable e) {
            long backoff = Math.min(events.backoffNanos() * 2, MAX_BACKOFF.toNanos());
            left.put(channel.stream, new Left(events.events(), events.replayed(), events.unsendable(), at + backoff, backoff,
                    events.tries() + 1));
            if (at - lastWarnNanos > TimeUnit.MINUTES.toNanos(1)) {
                lastWarnNanos = at;
                LOG.warn("Removing {} replayed event(s) of stream '{}' from {} failed again ({} tries); the next try in {} ms",
                        events.events().size(), channel.stream, store.describe(), events.tries() + 1,
                        TimeUnit.NANOSECONDS.toMillis(backoff), e);
            } else {
                LOG.debug("Removing replayed events of stream '{}' failed again", channel.stream, e);
            }
            return false;
        }
        left.remove(channel.stream);
        channel.ledger.notHeld(events.events().size());   // still counted as held since the first removal failed
        then.removed(channel, events.events(), events.replayed(), events.unsendable());
        LOG.info("Removed {} replayed event(s) of stream '{}' from {} at try {}", events.events().size(), channel.stream,
                store.describe(), events.tries() + 1);
        return true;
    }
}
