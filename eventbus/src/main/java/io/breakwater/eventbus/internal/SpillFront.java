package io.breakwater.eventbus.internal;

import io.breakwater.eventbus.PublishResult;
import io.breakwater.eventbus.SpillStatus;
import io.breakwater.spill.SpillFullException;
import io.breakwater.spill.SpillStats;
import io.breakwater.spill.SpillStore;
import io.breakwater.spill.SpilledEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus's side of one {@link SpillStore}: a writer thread that appends spilled events in batches (each
 * batch one durable transaction; a publish's future completes only once its event is durable), and the
 * {@link SpillReplayer} that sends them back. Callers never touch the store: appending is a queue offer.
 *
 * <p>The store's limits are checked when an event is offered, counting what is queued, so a full spill
 * fails the publish at once; a refusal's {@link SpillFullException#held()} counts the queued events as held. While
 * the writer appends a batch, it may be counted both as held and as queued: at the limit, a refusal may then come
 * one batch early, never late.
 */
public final class SpillFront implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SpillFront.class);
    private static final int BATCH = 512;
    // A spill that refused an event is reported full until it holds less than this share of a limit.
    private static final double FULL = 0.9;

    private record Append(StreamChannel channel, SpilledEvent event, CompletableFuture<PublishResult> result) {
    }

    private final SpillStore store;
    private final LinkedBlockingQueue<Append> queue = new LinkedBlockingQueue<>();
    // Events and bytes offered and not yet appended (or failed): the limits count them.
    private final AtomicLong queuedEvents = new AtomicLong();
    private final AtomicLong queuedBytes = new AtomicLong();
    final LongAdder appended = new LongAdder();
    final LongAdder replayed = new LongAdder();
    final LongAdder dropped = new LongAdder();
    private final LongAdder appendFailures = new LongAdder();
    private final LongAdder refusedFull = new LongAdder();
    // What the cut-overs of this spill's streams hold and did.
    final CutOverStats cutOvers = new CutOverStats();
    // Set when an event did not fit, cleared when one fits below 90 % of the limits: with the spill still near them, it is full.
    private volatile boolean refusing;
    private final Thread writer;
    private volatile boolean closing;
    // Set by the writer once its loop ended, before it fails what was offered too late for the loop.
    private volatile boolean writerDone;
    // The store's stats as last read, for status reports once it is closed.
    private volatile SpillStats lastStats = SpillStats.EMPTY;

    public SpillFront(SpillStore store) {
        this.store = store;
        this.writer = new Thread(this::write, "breakwater-spill-writer");
        writer.setDaemon(true);
        writer.start();
    }

    public SpillStore store() {
        return store;
    }

    /**
     * Offers an event of {@code channel} (already counted as spilling there) for appending. The future
     * completes with a spilled {@link PublishResult} once the event is durable, or fails: at once with
     * {@link SpillFullException} when it would not fit, later with the store's {@code SpillException}.
     */
    public CompletableFuture<PublishResult> append(StreamChannel channel, String topic, String key, byte[] payload,
                                                   Map<String, String> headers, long order, String eventId) {
        long size = 0;
        boolean counted = false;
        try {
            SpilledEvent event = new SpilledEvent(0, eventId, channel.stream, topic, key, payload, headers, order,
                    System.currentTimeMillis());
            size = event.sizeBytes();
            long events = queuedEvents.incrementAndGet();
            long bytes = queuedBytes.addAndGet(size);
            counted = true;
            // Read after counting this event as queued: a batch the writer appends meanwhile is counted in the store's
            // stats or still as queued (or both for a moment, refusing early at the limit), never in neither.
            SpillStats held = stats();
            if (closing) {
                throw new IllegalStateException("the EventBus is closed; its spill " + store.describe() + " takes no more events");
            }
            if (held.events() + events > store.maxEvents()) {
                throw refused(new SpillFullException(store.describe(), "maxEvents", store.maxEvents(), withQueued(held, events - 1,
                        bytes - size), 1, size));
            }
            if (held.bytes() + bytes > store.maxBytes()) {
                throw refused(new SpillFullException(store.describe(), "maxBytes", store.maxBytes(), withQueued(held, events - 1,
                        bytes - size), 1, size));
            }
            CompletableFuture<PublishResult> result = new CompletableFuture<>();
            Append append = new Append(channel, event, result);
            queue.add(append);
            if (refusing && !nearLimits(held.events() + events, held.bytes() + bytes)) {
                refusing = false;   // not on the first event that fits at the limit: the report would flap with the replay
            }
            if (writerDone && queue.remove(append)) {
                // The writer's loop ended (the bus closed) before this came; the writer's last look may have missed it.
                throw new IllegalStateException("the EventBus is closed; its spill " + store.describe() + " takes no more events");
            }
            return result;
        } catch (Throwable e) {
            if (counted) {
                queuedEvents.decrementAndGet();
                queuedBytes.addAndGet(-size);
            }
            channel.appendRefused();
            channel.settled(order);
            return CompletableFuture.failedFuture(e);
        }
    }

    private boolean nearLimits(long events, long bytes) {
        return events >= store.maxEvents() * FULL || bytes >= store.maxBytes() * FULL;
    }

    private SpillFullException refused(SpillFullException full) {
        refusedFull.increment();
        refusing = true;
        return full;
    }

    /** What {@code held} holds, with {@code events} of {@code bytes} queued for it: what the spill holds or is to. */
    private static SpillStats withQueued(SpillStats held, long events, long bytes) {
        long all = held.events() + Math.max(0, events);
        return all == 0 ? SpillStats.EMPTY : new SpillStats(all, held.bytes() + Math.max(0, bytes), held.oldestSpilledAtMillis());
    }

    /** The store's counts, remembered: the health report shows the last ones when the store cannot give them. */
    private SpillStats stats() {
        SpillStats stats = store.stats();
        lastStats = stats;
        return stats;
    }

    private void write() {
        List<Append> batch = new ArrayList<>(BATCH);
        while (!closing || !queue.isEmpty()) {
            try {
                Append first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                appendBatch(batch);
            } catch (InterruptedException e) {
                // close() interrupts only to hurry the last batch; the loop ends once the queue is empty.
            } catch (Throwable e) {
                LOG.error("The spill writer of {} failed; carrying on", store.describe(), e);
            } finally {
                batch.clear();
            }
        }
        writerDone = true;
        // Offered after the loop's last look at the queue: failed, never left waiting (an offer after this removes itself).
        Append left;
        while ((left = queue.poll()) != null) {
            queuedEvents.decrementAndGet();
            queuedBytes.addAndGet(-left.event.sizeBytes());
            fail(left, new IllegalStateException("the EventBus closed before this event reached its spill " + store.describe()),
                    false);
        }
    }

    private void appendBatch(List<Append> batch) {
        Throwable failure = appendAll(batch);
        if (failure instanceof IllegalArgumentException && batch.size() > 1) {
            // One event the store refuses (a NUL in its key, say) must not fail the others: one by one.
            for (Append a : batch) {
                complete(List.of(a), appendAll(List.of(a)));
            }
            return;
        }
        complete(batch, failure);
    }

    /** Appends in one transaction; the failure, or null. */
    private Throwable appendAll(List<Append> batch) {
        List<SpilledEvent> events = new ArrayList<>(batch.size());
        for (Append a : batch) {
            events.add(a.event);
        }
        try {
            store.append(events);
            return null;
        } catch (Throwable e) {
            return e;
        }
    }

    private void complete(List<Append> batch, Throwable failure) {
        long bytes = 0;
        for (Append a : batch) {
            bytes += a.event.sizeBytes();
        }
        queuedEvents.addAndGet(-batch.size());
        queuedBytes.addAndGet(-bytes);
        if (failure == null) {
            appended.add(batch.size());
        } else {
            appendFailures.add(batch.size());
            LOG.warn("Appending {} event(s) to the spill {} failed; their publishes fail", batch.size(), store.describe(), failure);
        }
        for (Append a : batch) {
            fail(a, failure, true);
        }
    }

    /** Settles {@code a}: spilled when {@code failure} is null, failed with it otherwise ({@code tried}: by the store). */
    private static void fail(Append a, Throwable failure, boolean tried) {
        if (tried) {
            a.channel.appendEnded(failure == null);
        } else {
            a.channel.appendRefused();
        }
        a.channel.settled(a.event.order());
        if (failure == null) {
            a.result.complete(PublishResult.spilled(a.event.topic(), a.event.eventId()));
        } else {
            a.result.completeExceptionally(failure);
        }
    }

    /** Events waiting: appended and not replayed, those still queued for appending, and those cut-overs hold. */
    public long pending() {
        return lastKnownStats().events() + queuedEvents.get() + Math.max(0, cutOvers.heldEvents.sum());
    }

    /** What the spill holds now, and what it did since the bus started. Never throws: health must answer. */
    public SpillStatus status() {
        SpillStats stats = lastKnownStats();
        long lag = stats.oldestSpilledAtMillis() < 0 ? 0 : Math.max(0, System.currentTimeMillis() - stats.oldestSpilledAtMillis());
        long events = stats.events() + queuedEvents.get();
        long bytes = stats.bytes() + queuedBytes.get();
        boolean full = refusing && nearLimits(events, bytes);   // what the spill itself holds: not the cut-overs'
        long held = Math.max(0, cutOvers.heldEvents.sum());   // a sum racing one event's hold and release may dip below
        return new SpillStatus(store.describe(), events + held, bytes + Math.max(0, cutOvers.heldBytes.sum()), appended.sum(),
                replayed.sum(), appendFailures.sum(), dropped.sum(), lag, refusedFull.sum(), full, held,
                cutOvers.begun.sum(), cutOvers.givenUp.sum());
    }

    private SpillStats lastKnownStats() {
        try {
            return stats();
        } catch (RuntimeException e) {
            return lastStats;
        }
    }

    /** Appends what is queued (for up to {@code timeout}), then stops the writer; the store stays open. */
    public void close(Duration timeout) {
        closing = true;
        try {
            writer.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.warn("The spill writer of {} is still appending after close; {} event(s) queued", store.describe(), queue.size());
        }
    }

    /** Closes the store. */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
        store.close();
    }
}
