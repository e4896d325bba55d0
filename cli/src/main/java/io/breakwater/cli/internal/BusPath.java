package io.breakwater.cli.internal;

import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.Throwables;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.eventbus.SpillStatus;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.status.StatusPublisher;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The demo's EventBus path: a bus with a SQLite spill in a temporary directory, deleted when the demo ends.
 * Every publish ends one of three ways its caller sees: acknowledged, spilled (durable, and replayed once the
 * breakers close), or failed.
 */
final class BusPath implements AutoCloseable {

    static final String STREAM = "orders";
    /** Above this many publishes, the ids are not kept and the topic is not checked. */
    static final int MAX_CHECKED_IDS = 2_000_000;

    final EventBus bus;
    private final PathStats stats;
    private final LongSupplier clock;
    private final Path dir;
    private final String store;
    // The ids of the publishes acknowledged or spilled: each must be on the topic at the end.
    private final Set<String> ids = ConcurrentHashMap.newKeySet();
    // The spill as it was just before the bus closed (a closed bus tells nothing more).
    private volatile SpillStatus closing;
    // Events the warm-up spilled and replayed: not the run's.
    private volatile long appendedBefore;
    private volatile long replayedBefore;
    private volatile long cutOversBefore;
    private volatile long givenUpBefore;
    // Deletes the directory if the demo ends without close(): an exception, or Ctrl-C.
    private final Thread cleanup;
    private final StopSignal stop;

    BusPath(PathStats stats, LongSupplier clock, StopSignal stop, RedpandaTransport transport, CircuitBreakerConfig channel,
            StatusPublisher status) throws IOException {
        this.stats = stats;
        this.clock = clock;
        this.dir = Files.createTempDirectory("breakwater-demo-spill-");
        this.stop = stop;
        // On Ctrl-C the run goes on closing (its events may still be spilling): the spill goes once it has finished.
        this.cleanup = new Thread(() -> {
            stop.awaitFinished(Duration.ofSeconds(45));
            delete(dir);
        }, "demo-spill-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        SqliteSpillStore spill = null;
        try {
            spill = SqliteSpillStore.open(dir.resolve("spill.db"));
            this.store = spill.describe();
            this.bus = EventBus.builder(transport).topicPrefix(DemoProducers.TOPIC_PREFIX).defaultChannelConfig(channel)
                    .statusPublisher(status).spill(spill).build();
        } catch (RuntimeException | Error e) {
            if (spill != null) {
                spill.close();
            }
            transport.close(Duration.ZERO);
            delete(dir);
            throw e;
        }
    }

    /** The run begins: what the spill replayed so far was the warm-up's. */
    void startCounting() {
        SpillStatus before = bus.spillStatus().get(0);
        appendedBefore = before.appended();
        replayedBefore = before.replayed();
        cutOversBefore = before.cutOvers();
        givenUpBefore = before.cutOversGivenUp();
    }

    /** Where the spill is: {@code sqlite:/tmp/...}. */
    String store() {
        return store;
    }

    /** One publish, timed from the call to its return (not its answer). */
    void publish() {
        long sequence = stats.published.incrementAndGet();
        long t0 = System.nanoTime();
        CompletableFuture<PublishResult> result;
        try {
            result = bus.publishStream(STREAM, "k" + sequence % 16, new Demo.Event(sequence, "AAPL", 190.0 + sequence % 10), Map.of());
        } catch (RuntimeException e) {
            stats.blocked(System.nanoTime() - t0);
            stats.failedAt(clock.getAsLong());
            return;
        }
        stats.blocked(System.nanoTime() - t0);
        result.whenComplete((r, e) -> {
            if (e == null) {
                if (sequence <= MAX_CHECKED_IDS) {
                    ids.add(r.eventId());
                }
                (r.spilled() ? stats.spilled : stats.acked).incrementAndGet();
            } else {
                if (Throwables.unwrap(e) instanceof CircuitBreakerOpenException) {
                    stats.rejected.incrementAndGet();
                }
                stats.failedAt(clock.getAsLong());
            }
        });
    }

    /** The spill now, or as it was when the bus closed. */
    SpillStatus spill() {
        SpillStatus last = closing;
        return last != null ? last : bus.spillStatus().get(0);
    }

    /** {@link #spill()} with the counts of the run alone: what the warm-up appended and replayed is left out. */
    SpillStatus spillOfRun() {
        SpillStatus s = spill();
        return new SpillStatus(s.store(), s.pending(), s.pendingBytes(), s.appended() - appendedBefore,
                s.replayed() - replayedBefore, s.appendFailures(), s.dropped(), s.replayLagMillis(), s.refusedFull(), s.full(),
                s.held(), s.cutOvers() - cutOversBefore, s.cutOversGivenUp() - givenUpBefore);
    }

    /** Every publish answered and nothing left in the spill. */
    boolean settled() {
        return stats.unanswered() == 0 && spill().pending() == 0;
    }

    /** The ids of the acknowledged and spilled publishes, or null when there were too many to keep. */
    Set<String> ids() {
        return stats.published.get() > MAX_CHECKED_IDS ? null : Set.copyOf(ids);
    }

    /**
     * Reads the spill a last time, closes the bus (and its store), deletes the directory. Events spilled after the
     * last reading (during the close) count as spilled and not replayed: the demo deletes them with the spill.
     */
    @Override
    public void close() {
        stats.replayed = 0; // unless the spill says otherwise, nothing spilled reached the topic
        try {
            closing = bus.spillStatus().get(0);
            stats.replayed = closing.replayed() - replayedBefore;
        } finally {
            try {
                bus.close(stop.requested() ? Duration.ofSeconds(5) : RedpandaTransport.DEFAULT_CLOSE_TIMEOUT);
            } finally {
                delete(dir);
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // The hook runs anyway; the directory is gone already.
                }
            }
        }
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("Could not delete the demo's spill directory " + dir + ": " + e);
        }
    }
}
