package io.breakwater.eventbus.internal;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.eventbus.EventBus;
import io.breakwater.spill.SpilledEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends spilled events back, per stream, in their original order, one batch at a time: a batch is the
 * stream's oldest events, below every order still unsettled (an event in flight, or on its way into the
 * spill, that came first must not be overtaken). Each event goes through the stream's breaker and the
 * transport like any publish ({@link ChannelSender}): while a breaker refuses, nothing is sent; in HALF_OPEN
 * the replay's first events are the trial calls. The next batch starts when every event of the last one is
 * answered, so at most {@value #BATCH} events of a stream are in flight and the replay cannot flood a
 * cluster that has just come back. An event leaves the spill only after its acknowledgement, and only as part
 * of the answered prefix of its batch: after a failure in the middle, the events behind it are sent again
 * (duplicates, never a gap or a reordering in the spill). Acknowledged events whose removal fails are not sent
 * again: they are removed again, backing off, before the stream's next batch is read ({@link UnremovedEvents}). An event that can never be sent (too large, an
 * invalid record: {@link Spillable#neverSendable}) would hold its stream forever: it is dropped, logged at ERROR
 * and counted. Missing rights are not that: the stream waits until an operator grants them.
 *
 * <p>Every replayed record carries a {@value EventBus#REPLAY_HEADER} header: how many times this process has sent that
 * event from the spill, counting this send ({@code 1}, then {@code 2} after a batch that did not go through). A
 * consumer can tell a late event from the spill by it, and two copies of one event with the same count, written by
 * one process, would be a replay that sent it twice.
 */
public final class SpillReplayer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SpillReplayer.class);
    static final int BATCH = 256;
    private static final long TICK_MILLIS = 100;

    private final SpillFront front;
    private final ChannelSender sender;
    private final Map<String, StreamChannel> channels = new ConcurrentHashMap<>();
    private final ScheduledExecutorService executor;
    private volatile boolean closed;
    // Per stream and event id, the sends from the spill so far, for events still there; replay thread only.
    private final Map<String, Map<String, Integer>> sends = new HashMap<>();
    // Acknowledged events whose removal failed, removed before their stream's next batch is read; never sent again.
    private final UnremovedEvents unremoved = new UnremovedEvents(Duration.ofMillis(TICK_MILLIS));
    // When a failed replay was last logged at WARN; replay thread only.
    private long lastWarnNanos = System.nanoTime() - TimeUnit.MINUTES.toNanos(2);

    public SpillReplayer(SpillFront front, ChannelSender sender) {
        this.front = front;
        this.sender = sender;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "breakwater-spill-replay");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Replays {@code channel}'s spilled events from now on. */
    public void watch(StreamChannel channel) {
        channels.put(channel.stream, channel);
    }

    private void tick() {
        channels.values().forEach(this::tick);
    }

    private void tick(StreamChannel channel) {
        cutOver(channel, true);
        try {
            if (!closed && !channel.replaying && channel.ledger.replayDue()
                    && unremoved.cleared(channel, front.store(), this::removed, false) && sender.admits(channel)) {
                replayBatch(channel);
            }
        } catch (Throwable e) {
            channel.replaying = false;
            // Every 100 ms while the store is away: a warning a minute, the rest at debug level.
            long now = System.nanoTime();
            if (now - lastWarnNanos > TimeUnit.MINUTES.toNanos(1)) {
                lastWarnNanos = now;
                LOG.warn("Replaying the spill of stream '{}' from {} failed; trying again every {} ms", channel.stream,
                        front.store().describe(), TICK_MILLIS, e);
            } else {
                LOG.debug("Replaying the spill of stream '{}' failed again", channel.stream, e);
            }
        }
    }

    private void replayBatch(StreamChannel channel) {
        long counted = channel.ledger.countedAsHeld();
        long floor = channel.ledger.replayFloor();
        List<SpilledEvent> oldest = front.store().oldest(channel.stream, BATCH);
        boolean everyHeld = oldest.size() < BATCH;
        if (everyHeld) {
            // Every event the spill holds for the stream is here. Those it does not hold any more left it by a removal
            // reported failed that happened: they are counted no longer, and their sends are forgotten.
            if (counted > oldest.size()) {
                channel.ledger.notHeld(counted - oldest.size());
                LOG.warn("Stream '{}' counted {} event(s) in the spill {} that it does not hold (a removal reported failed "
                        + "happened); the count is set right", channel.stream, counted - oldest.size(), front.store().describe());
            }
            Map<String, Integer> sends = this.sends.get(channel.stream);
            if (sends != null) {
                sends.keySet().retainAll(oldest.stream().map(SpilledEvent::eventId).collect(Collectors.toSet()));
                forgetIfNone(channel.stream);
            }
        }
        channel.ledger.read(oldest.isEmpty());
        List<SpilledEvent> batch = new ArrayList<>(oldest.size());
        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>(oldest.size());
        for (SpilledEvent event : oldest) {
            if (event.order() >= floor) {
                break;
            }
            int count = sends.getOrDefault(channel.stream, Map.of()).getOrDefault(event.eventId(), 0) + 1;
            Map<String, String> headers = new LinkedHashMap<>(event.headers());
            headers.put(EventBus.REPLAY_HEADER, Integer.toString(count));
            CompletableFuture<RecordMetadata> send = sender.send(channel, event.topic(), event.key(), event.payload(),
                    headers);
            if (send.isCompletedExceptionally() && batch.isEmpty() && !neverSendable(send)) {
                return; // refused at once: a breaker is not admitting calls; try again next tick
            }
            if (!send.isCompletedExceptionally()) {
                // On its way to the broker; a send refused at once never left. A stream's map is made by its first count.
                sends.computeIfAbsent(channel.stream, s -> new HashMap<>()).put(event.eventId(), count);
            }
            batch.add(event);
            sent.add(send);
            if (send.isCompletedExceptionally()) {
                break;
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        channel.replaying = true;
        // A send refused at once ends the batch: that event is not in flight, and nothing may pass it.
        boolean lastRefused = sent.get(sent.size() - 1).isCompletedExceptionally();
        channel.ledger.replaySent(everyHeld && !lastRefused && batch.size() == oldest.size(), !closed && calm(channel),
                System.nanoTime());
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                    .whenCompleteAsync((ignored, error) -> finish(channel, batch, sent), executor);
        } catch (RuntimeException e) {
            channel.ledger.replayFinished(0, false); // the replayer is closing; the events stay in the spill
            throw e;
        }
        cutOver(channel, false);   // behind the batch, once its end is sure to be seen
    }

    /**
     * The stream's cut-over, if one is under way: given up when too old or its breaker is not calm ({@code tick}), else
     * its held events sent once nothing is left in the spill. What it throws is logged: the replay goes on.
     */
    private void cutOver(StreamChannel channel, boolean tick) {
        try {
            if (tick) {
                channel.ledger.cutOver.expire(System.nanoTime(), calm(channel));
            }
            if (!tick || !channel.replaying) {
                channel.ledger.cutOver.cutOver();
            }
        } catch (Throwable e) {
            LOG.warn("The cut-over of stream '{}' from the spill {} failed", channel.stream, front.store().describe(), e);
        }
    }

    /** Whether the stream's breaker admits every call (CLOSED, or DISABLED): a cut-over may begin and go on. */
    private static boolean calm(StreamChannel channel) {
        CircuitBreakerState state = channel.breaker.state();
        return state == CircuitBreakerState.CLOSED || state == CircuitBreakerState.DISABLED;
    }

    /**
     * Whether a send that failed at once failed for its event alone, for good: Kafka's producer fails a record too large
     * for it inside send(), so such an event fails at once as a breaker's refusal does, and must be dropped, not retried.
     */
    private static boolean neverSendable(CompletableFuture<RecordMetadata> failed) {
        return Spillable.neverSendable(failed.handle((m, e) -> e).join());
    }

    private void finish(StreamChannel channel, List<SpilledEvent> batch, List<CompletableFuture<RecordMetadata>> sent) {
        int done = 0;
        try {
            while (done < sent.size() && !sent.get(done).isCompletedExceptionally()) {
                done++;
            }
            int replayed = done;
            Throwable unsendable = null;
            if (done < sent.size()) {
                Throwable cause = sent.get(done).handle((m, e) -> e).join();
                if (!closed && Spillable.neverSendable(cause)) {
                    // The event itself cannot be sent (too large, say): kept, it would hold its stream forever.
                    unsendable = cause;
                    done++;
                }
            }
            if (done > 0) {
                List<SpilledEvent> answered = batch.subList(0, done);
                try {
                    front.store().remove(answered);
                } catch (Throwable e) {   // they went through: not sent again, but removed again first
                    unremoved.failed(channel.stream, answered, replayed, unsendable, front.store().describe(), e);
                    done = 0;
                    return;
                }
                removed(channel, answered, replayed, unsendable);
            }
        } catch (Throwable e) {
            done = 0;
            LOG.warn("Finishing a replayed batch of stream '{}' from {} failed; its events will be sent again",
                    channel.stream, front.store().describe(), e);
        } finally {
            // One step: the events not removed wait in the spill again, and new ones follow them there.
            channel.ledger.replayFinished(done, done == batch.size());
            channel.replaying = false;
        }
        if (done == batch.size() && !closed && channel.ledger.replayDue()) {
            // The whole batch went through: the next one at once. After a failure, the next tick.
            executor.execute(() -> tick(channel));
        }
    }

    /** After a removal of {@code events}, {@code replayed} of them sent, the last {@code unsendable} when not null. */
    private void removed(StreamChannel channel, List<SpilledEvent> events, int replayed, Throwable unsendable) {
        if (unsendable != null) {   // told and counted once it is gone
            LOG.error("Spilled event {} of stream '{}' cannot be sent and is dropped from {}: {}",
                    events.get(events.size() - 1).eventId(), channel.stream, front.store().describe(), unsendable.toString());
            front.dropped.increment();
        }
        front.replayed.add(replayed);
        Map<String, Integer> sends = this.sends.get(channel.stream);
        if (sends != null) {
            events.forEach(event -> sends.remove(event.eventId()));
            forgetIfNone(channel.stream);
        }
    }

    /** Drops the stream's map of sends once it holds none, so that a stream that replayed once keeps nothing here. */
    private void forgetIfNone(String stream) {
        Map<String, Integer> left = sends.get(stream);
        if (left != null && left.isEmpty()) {
            sends.remove(stream);
        }
    }

    /** How many events the replay keeps a count of sends for (events it sent that are still in the spill), every stream's. */
    int eventsWithSends() {
        try {
            return executor.submit(() -> sends.values().stream().mapToInt(Map::size).sum()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Stops replaying. A batch whose answers have all come is finished within a second (its acknowledged events removed,
     * if the store is open); one still waiting for answers is not: its events stay in the spill and are sent again by
     * the next replay over that store, copies that consumers tell by their event id. Acknowledged events whose removal
     * failed are tried once more first.
     */
    @Override
    public void close() {
        closed = true;
        // Events a cut-over holds go to the spill before it closes (the bus closes its replayers first).
        channels.values().forEach(channel -> channel.ledger.cutOver.close());
        try {   // acknowledged events whose removal failed: tried once more, or the next replay sends them again
            executor.execute(() -> channels.values().forEach(c -> {
                c.ledger.cutOver.close();   // again, behind a batch that was being sent as the bus closed
                unremoved.cleared(c, front.store(), this::removed, true);
            }));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed already
        }
        executor.shutdown();
        try {
            executor.awaitTermination(Duration.ofSeconds(1).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
