package io.breakwater.eventbus.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.watch.CallTracker;
import io.breakwater.breaker.watch.Watchdog;
import java.time.Duration;

/**
 * One stream of an EventBus: its topic, its breaker, and the tracker of its publishes in flight. Each
 * watchdog tick expires publishes past their thresholds, then checks for a stall: a publish unanswered for
 * the in-flight threshold while none of the stream's publishes succeeded in that time opens the breaker at
 * once, so one publishing thread is enough to notice a dead stream.
 */
public final class StreamChannel implements AutoCloseable {

    /** Publishes of one stream that may be pending at once before the oldest are forgotten. */
    private static final int TRACKED = 1 << 12;

    public final String stream;
    public final String topic;
    public final CircuitBreaker breaker;
    public final CallTracker tracker;
    private final Clock clock;
    private final long inFlightNanos;
    private final Subscription watchdog;
    // When a publish of this stream last succeeded (or the channel was made).
    private volatile long lastSuccessNanos;

    public StreamChannel(String stream, String topic, CircuitBreaker breaker, Clock clock, Duration blockThreshold,
                         Duration inFlightThreshold) {
        this.stream = stream;
        this.topic = topic;
        this.breaker = breaker;
        this.clock = clock;
        this.inFlightNanos = inFlightThreshold.toNanos();
        this.lastSuccessNanos = clock.nanoTime();
        this.tracker = new CallTracker(breaker.name(), clock::nanoTime, blockThreshold, inFlightThreshold, TRACKED);
        this.watchdog = Watchdog.register(this::check);
    }

    /** A publish of this stream succeeded. */
    public void succeeded() {
        lastSuccessNanos = clock.nanoTime();
    }

    /** The watchdog's tick: expiries, the stall check, the breaker's timeouts. */
    public void check() {
        tracker.run();
        long now = clock.nanoTime();
        long waited = tracker.oldestPendingAgeNanos(now);
        if (waited >= inFlightNanos && now - lastSuccessNanos >= inFlightNanos) {
            breaker.recordStall("no publish answered for " + waited / 1_000_000 + " ms and none succeeded (inFlightThreshold="
                    + inFlightNanos / 1_000_000 + ")");
        }
        breaker.checkTimeouts();
    }

    /** Stops watching this stream. */
    @Override
    public void close() {
        watchdog.close();
    }
}
