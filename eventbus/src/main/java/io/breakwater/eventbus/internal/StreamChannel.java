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
    // The spill's bookkeeping of this stream; null without a spill.
    final SpillLedger ledger;
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
        this.ledger = spill == null ? null : new SpillLedger(stream, spill.cutOvers);
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
     * A new event of this stream: its order, and whether it goes to the spill because events of the stream wait there
     * ({@link SpillLedger#admit()}); without a spill, orders mean nothing and every event gets 1, without a lock.
     */
    public long admit() {
        return ledger == null ? 1 : ledger.admit();
    }

    /** The order in an answer of {@link #admit()}. */
    public static long order(long admitted) {
        return SpillLedger.order(admitted);
    }

    /**
     * Sends {@code publication} directly through {@code sender} under {@code permit}, unless its answer of {@link #admit()}
     * ({@code admitted}) says a cut-over from the spill holds it ({@link CutOver#hold}).
     */
    public void send(ChannelSender sender, Publication publication, Permit permit, long admitted) {
        if (admitted < SpillLedger.HELD || ledger.cutOver.hold(publication)) {
            sender.send(publication, permit);
        }
    }

    /** An event whose publish failed goes to the spill now (one admitted behind spilled ones is counted already). */
    public void spilling() {
        ledger.spilling();
    }

    /** The store's append of an event counted as spilling ended, once: durable in the spill, or failed. */
    public void appendEnded(boolean durable) {
        ledger.appendEnded(durable, true);
    }

    /** The append of an event counted as spilling failed before the store saw it (a full spill, the bus closing). */
    public void appendRefused() {
        ledger.appendEnded(false, false);
    }

    /** A publish threw after {@link #admit()} gave it {@code admitted} (0: not that far): see {@link SpillLedger#unadmit}. */
    public void unadmit(long admitted) {
        if (ledger != null && admitted != 0) {
            ledger.unadmit(admitted);
        }
    }

    /** The event of {@code order} is settled: acknowledged, durable in the spill, or failed for good. */
    public void settled(long order) {
        if (ledger != null) {
            ledger.settled(order);
        }
    }

    /** Events of this stream found in the spill at start-up. */
    public void restoreSpilled(long n) {
        ledger.restoreSpilled(n);
    }

    /** Before any event of this stream: its orders go on above {@code highest} ({@link SpillLedger#continueAbove}). */
    public void continueAbove(long highest, String store) {
        ledger.continueAbove(highest, store);
    }

    /** The events of this stream queued for or held in the spill, as counted (0 without a spill). */
    public long spilled() {
        return ledger == null ? 0 : ledger.spilled();
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

    /** Stops watching this stream; events a cut-over from its spill holds go to the spill, which is still open. */
    @Override
    public void close() {
        if (ledger != null) {
            ledger.cutOver.close();
        }
        transitions.close();
        super.close();
    }
}
