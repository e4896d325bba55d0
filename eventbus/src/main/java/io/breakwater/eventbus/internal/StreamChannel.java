package io.breakwater.eventbus.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Permit;
import io.breakwater.breaker.StateTransition;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.TransitionListener;
import io.breakwater.breaker.watch.CallTracker;
import io.breakwater.breaker.watch.TrackedCall;
import io.breakwater.breaker.watch.TrackerLimits;
import io.breakwater.breaker.watch.RestingCheck;
import java.util.function.BooleanSupplier;

/**
 * One stream of an EventBus: its topic, its breaker, and the tracker of its publishes in flight. Each
 * watchdog tick expires publishes past their thresholds, then checks for a stall: a publish unanswered for
 * the in-flight threshold while none of the stream's publishes succeeded in that time, or publishes failing
 * or waiting one after another for that long with none succeeding, opens the breaker at once, so one
 * publishing thread is enough to notice a dead stream.
 *
 * <p>An idle stream (nothing in flight, no failing run, its breaker neither OPEN nor HALF_OPEN) leaves the watchdog's
 * rounds until its next publish is handed to Kafka ({@link #sending}) or its breaker moves: a bus of 100,000 idle
 * streams costs the watchdog nothing per tick.
 */
public final class StreamChannel extends RestingCheck implements TransitionListener {

    /** Publishes of one stream that may be pending at once before the oldest are forgotten. */
    public static final int TRACKED = 1 << 12;
    // Held orders at or above this leave too few for new events (2^62; the clock's orders reach it in the year 2116).
    private static final long MAX_HELD_ORDER = 1L << 62;

    public final String stream;
    public final String topic;
    public final CircuitBreaker breaker;
    public final CallTracker tracker;
    private final Clock clock;
    private final Subscription transitions;
    // True shortly after the cluster refused the transport's credentials: then nothing stalls (see ChannelSender).
    private final BooleanSupplier excused;
    /** The spill of this stream, or null. */
    public final SpillFront spill;
    // Spill bookkeeping, all guarded by this: the events of this stream queued for or held in the spill, and the
    // orders of events not settled yet (in flight, or on their way into the spill). Orders start from the clock, and
    // above the highest the spill holds for the stream (continueAbove), so that a later process's are above an earlier
    // one's.
    private long spilled;
    // Of those, the events the replay has sent and not yet finished (replaySent, replayFinished).
    private long replayInFlight;
    // Of those, the events counted on their way into the spill, not yet durable there or failed (appendEnded).
    private long appending;
    // Only with a spill: without one, orders mean nothing (and an idle stream holds no orders).
    private final UnsettledOrders unsettled;
    // Whether a replay batch of this stream is in flight; replay thread only.
    boolean replaying;

    /**
     * {@code limits}: of the stream's tracker, on {@code clock}'s {@code nanoTime}, with a capacity of {@link #TRACKED};
     * one instance that every stream of a bus shares.
     */
    public StreamChannel(String stream, String topic, CircuitBreaker breaker, Clock clock, TrackerLimits limits,
                         SpillFront spill, BooleanSupplier excused) {
        this.stream = stream;
        this.spill = spill;
        this.unsettled = spill == null ? null : new UnsettledOrders(System.currentTimeMillis() * 1_000_000L + 1);
        this.topic = topic;
        this.breaker = breaker;
        this.clock = clock;
        this.excused = excused;
        this.tracker = new CallTracker(breaker.name(), limits);
        this.transitions = breaker.onTransition(this);
        start(); // the first tick sees whether the breaker came up OPEN (a restored state)
    }

    /** A publish of this stream was handed to Kafka and is in its tracker: the watchdog watches it from the next tick. */
    public void sending() {
        wake();
    }

    /** The breaker moved: its timeouts want ticks (a CLOSED one found idle leaves again). */
    @Override
    public void onTransition(StateTransition transition) {
        wake();
    }

    /**
     * A new event of this stream: its order, and whether it goes to the spill because events of the stream wait
     * there (it must not overtake them; negative: it does, and is counted as spilling). Once the replay has sent
     * every event the spill holds for the stream, a new event is sent directly: the producer keeps it behind
     * them. With a spill, the event is unsettled until {@link #settled}; without one, orders mean nothing and
     * every event gets 1, without a lock.
     */
    public long admit() {
        if (spill == null) {
            return 1;
        }
        synchronized (this) {
            long order = unsettled.admit();
            if (spilled > replayInFlight) {
                // Counted here, like spilling(): every event that goes to the spill leaves it through appendEnded() or
                // replayFinished().
                spilled++;
                appending++;
                return -order;
            }
            return order;
        }
    }

    /** An event whose publish failed goes to the spill now (one admitted behind spilled ones is counted already). */
    public synchronized void spilling() {
        spilled++;
        appending++;
    }

    /**
     * The append of an event counted as spilling ended, once: it is durable in the spill, or it failed and leaves the
     * count.
     */
    public synchronized void appendEnded(boolean durable) {
        appending--;
        if (!durable) {
            spilled = Math.max(0, spilled - 1);
        }
    }

    /**
     * A publish threw (no memory left) after {@link #admit()} gave it {@code admitted} (0: it did not get that far), and
     * before a spill's append took the event over: its order settles, and its count, if it had one, is given back.
     */
    public void unadmit(long admitted) {
        if (spill == null || admitted == 0) {
            return;
        }
        synchronized (this) {
            if (admitted < 0) {
                spilled = Math.max(0, spilled - 1);
                appending--;
            }
            unsettled.settle(Math.abs(admitted));
        }
    }

    /** The event of {@code order} is settled: acknowledged, durable in the spill, or failed for good. */
    public void settled(long order) {
        if (spill == null) {
            return;
        }
        synchronized (this) {
            unsettled.settle(order);
        }
    }

    /**
     * The replay has handed {@code n} of this stream's spilled events to the transport, in order: while they are
     * in flight and are all the spill holds for the stream, new events go directly, behind them.
     */
    synchronized void replaySent(long n) {
        replayInFlight = Math.min(n, spilled - appending); // a batch may hold events not counted (an append reported failed)
    }

    /** The replay's batch is answered: {@code removed} of its events left the spill, the others wait there again. */
    synchronized void replayFinished(long removed) {
        spilled = Math.max(appending, spilled - removed); // those on their way in stay counted whatever the batch held
        replayInFlight = 0;
    }

    /**
     * Before the replay reads what the spill holds for the stream, with no batch of it in flight: the events counted
     * that are not on their way in, so each is held or counted in error (-1: the counts are off, nothing can be said).
     */
    synchronized long countedAsHeld() {
        return appending < 0 || replayInFlight != 0 ? -1 : spilled - appending;
    }

    /**
     * {@code n} of the events {@link #countedAsHeld()} gave were not held when the replay then read every event the spill
     * holds for the stream: they were counted in error (a removal whose commit happened was reported failed) and leave
     * the count, so that new events go directly again once the rest are replayed. Only the replay removes, and events
     * that reached the spill meanwhile are in what it read, so {@code n} is at most the events counted in error.
     */
    synchronized void notHeld(long n) {
        spilled = Math.max(appending, spilled - n);
    }

    /** Events of this stream found in the spill at start-up. */
    public synchronized void restoreSpilled(long n) {
        spilled += n;
    }

    /**
     * Before any event of this stream: its orders go on above {@code highest}, the highest its spill ({@code store}) holds
     * for it, so that new events replay after the held ones even when this process's clock is behind the one that
     * spilled them.
     *
     * @throws IllegalStateException when {@code highest} leaves too few orders above it (orders the bus did not make)
     */
    public synchronized void continueAbove(long highest, String store) {
        if (highest >= MAX_HELD_ORDER) {
            throw new IllegalStateException("Spill " + store + " holds events of stream '" + stream + "' up to order "
                    + highest + ", too near the largest long for new events to follow them (the bus's own orders are "
                    + "below " + MAX_HELD_ORDER + " until the year 2116); move those events away");
        }
        unsettled.startAbove(highest);
    }

    public synchronized long spilled() {
        return spilled;
    }

    /** The lowest order still unsettled: spilled events below it may be replayed without overtaking anything. */
    synchronized long replayFloor() {
        // Nothing unsettled: no event at or above the next order may go, as one may be admitted any moment.
        return unsettled.lowest();
    }

    /**
     * A publish of this stream succeeded, or the cluster refused it for the caller's sake (its rights, its
     * credentials), at {@code nowNanos} (the bus clock's): evidence against a stall, as the cluster answered.
     */
    public void succeeded(long nowNanos) {
        tracker.succeeded(nowNanos);
    }

    /** {@code publish}, begun in this stream's tracker, succeeded at {@code nowNanos}: the line behind it moved too. */
    public void succeeded(TrackedCall publish, long nowNanos) {
        tracker.succeeded(publish, nowNanos);
    }

    /**
     * The transport refused a publish of this stream, under {@code permit}, before it was queued (at {@code nowNanos}):
     * as when it refuses the queued send, the call counts for nothing and, as any answer that does not count, ends the
     * stream's failing run (its publishes unanswered since before no longer hold the run up).
     */
    public void refusedByTransport(Permit permit, long nowNanos) {
        tracker.neutral(nowNanos);
        breaker.recordIgnored(permit);
    }

    /** The watchdog's tick: {@link #check()}. */
    @Override
    protected void tick() {
        check();
    }

    /** Nothing in flight, no failing run, the breaker in a state without timeouts: the next tick would change nothing. */
    @Override
    protected boolean idle() {
        CircuitBreakerState state = breaker.state();
        return state != CircuitBreakerState.OPEN && state != CircuitBreakerState.HALF_OPEN && tracker.idle();
    }

    /** The watchdog's tick: expiries, the stall check, the breaker's timeouts. */
    public void check() {
        tracker.run();
        long now = clock.nanoTime();
        long waited = tracker.oldestPendingAgeNanos(now);
        long failing = tracker.failingRunNanos();
        long inFlightNanos = tracker.limits().answerNanos();
        if (excused.getAsBoolean()) {
            // The publishes wait for the producer's next attempt to authenticate: not the stream's health.
        } else if (waited >= inFlightNanos) {
            breaker.recordStall("no publish answered for " + waited / 1_000_000 + " ms and none succeeded (inFlightThreshold="
                    + inFlightNanos / 1_000_000 + ")");
        } else if (failing >= inFlightNanos) {
            breaker.recordStall("no publish succeeded for " + failing / 1_000_000 + " ms, each failed or unanswered"
                    + " (inFlightThreshold=" + inFlightNanos / 1_000_000 + ")");
        }
        breaker.checkTimeouts();
    }

    /** Stops watching this stream. */
    @Override
    public void close() {
        transitions.close();
        super.close();
    }
}
