package io.breakwater.eventbus.internal;

import io.breakwater.eventbus.SpillStatus;
import io.breakwater.spill.SpillStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** The spills of a bus: one {@link SpillFront} and one {@link SpillReplayer} per store, the bus's and each stream's. */
public final class Spills implements AutoCloseable {

    private final SpillFront busFront;
    private final Map<String, SpillFront> streamFronts = new java.util.HashMap<>();
    private final Map<SpillFront, SpillReplayer> replayers = new IdentityHashMap<>();

    /**
     * @param busStore the bus-wide store, or null; {@code streamStores} each stream's own. Without any store, no
     *                 class of breakwater-spill is touched: that module is optional, and may be absent.
     */
    public Spills(SpillStore busStore, Map<String, SpillStore> streamStores, ChannelSender sender) {
        if (busStore == null && streamStores.isEmpty()) {
            this.busFront = null;
            return;
        }
        Map<SpillStore, SpillFront> fronts = new IdentityHashMap<>();
        this.busFront = busStore == null ? null : fronts.computeIfAbsent(busStore, SpillFront::new);
        streamStores.forEach((stream, store) -> streamFronts.put(stream, fronts.computeIfAbsent(store, SpillFront::new)));
        fronts.values().forEach(front -> replayers.put(front, new SpillReplayer(front, sender)));
    }

    /** The spill of {@code stream}: its own, else the bus's, else null. */
    public SpillFront frontOf(String stream) {
        return streamFronts.getOrDefault(stream, busFront);
    }

    /**
     * Before {@code channel} is published to other threads: it starts with the events its spill holds for it, and its
     * orders go on above theirs. Should the store fail to say, the channel is closed (it is nobody's yet) and the failure
     * thrown.
     */
    public void prepare(StreamChannel channel) {
        if (channel.spill != null) {
            try {
                SpillStore store = channel.spill.store();
                channel.restoreSpilled(store.events(channel.stream));
                channel.continueAbove(store.highestOrder(channel.stream), store.describe());
            } catch (RuntimeException | Error e) {
                channel.close();
                throw e;
            }
        }
    }

    /** Once {@code channel} is the stream's channel: its spilled events are replayed from now on. */
    public void watch(StreamChannel channel) {
        if (channel.spill != null) {
            replayers.get(channel.spill).watch(channel);
        }
    }

    /**
     * Starts ({@code channel}) each stream that holds events, left by an earlier run, in its spill. Should that fail (a
     * store closed already, say), nothing the bus started keeps running or attached: {@code undo} (the bus's channels and
     * status attachments) runs, its spills' threads stop (the stores stay open, the caller's), and the failure is thrown
     * with anything the undoing threw suppressed in it.
     */
    public void resume(Consumer<String> channel, Runnable undo) {
        try {
            waiting().forEach(channel);
        } catch (RuntimeException | Error e) {
            List<Runnable> steps = new ArrayList<>(List.of(undo));
            replayers.values().forEach(replayer -> steps.add(replayer::close));
            replayers.keySet().forEach(front -> steps.add(() -> front.close(Duration.ofSeconds(1))));
            runEach(steps, e);
            throw e;
        }
    }

    /** Streams that hold events, left by an earlier run, in the spill they belong to. */
    public Set<String> waiting() {
        Set<String> streams = new LinkedHashSet<>();
        for (SpillFront front : replayers.keySet()) {
            for (String stream : front.store().streams()) {
                if (frontOf(stream) == front) {
                    streams.add(stream);
                }
            }
        }
        return streams;
    }

    public List<SpillStatus> status() {
        List<SpillStatus> status = new ArrayList<>();
        replayers.keySet().forEach(front -> status.add(front.status()));
        return status;
    }

    /** Stops replaying, appends what is queued (within {@code timeout}), and closes the stores. */
    public void close(Duration timeout) {
        long deadline = System.nanoTime() + io.breakwater.breaker.Timeouts.deadlineNanos(timeout);
        List<Runnable> steps = new ArrayList<>();
        replayers.values().forEach(replayer -> steps.add(replayer::close));
        for (SpillFront front : replayers.keySet()) {
            steps.add(() -> front.close(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()))));
            steps.add(front.store()::close);
        }
        // Each step whatever the one before threw: a store left open could hold its file's lock for good.
        Throwable failed = runEach(steps, null);
        if (failed instanceof RuntimeException e) {
            throw e;
        }
        if (failed instanceof Error e) {
            throw e;
        }
    }

    /**
     * Runs every step, whatever one throws: what they throw is suppressed in {@code first} (null: the first of them
     * becomes it, the others suppressed in it), which is returned.
     */
    private static Throwable runEach(List<Runnable> steps, Throwable first) {
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException | Error e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        return first;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
