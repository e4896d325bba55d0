package io.breakwater.eventbus.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.watch.CallTracker;
import io.breakwater.breaker.watch.Watchdog;
import java.time.Duration;

/** One stream of an EventBus: its topic, its breaker, and the tracker of its publishes in flight. */
public final class StreamChannel implements AutoCloseable {

    /** Publishes of one stream that may be pending at once before the oldest are forgotten. */
    private static final int TRACKED = 1 << 12;

    public final String stream;
    public final String topic;
    public final CircuitBreaker breaker;
    public final CallTracker tracker;
    private final Subscription watchdog;

    public StreamChannel(String stream, String topic, CircuitBreaker breaker, Clock clock, Duration blockThreshold,
                         Duration inFlightThreshold) {
        this.stream = stream;
        this.topic = topic;
        this.breaker = breaker;
        this.tracker = new CallTracker(breaker.name(), clock::nanoTime, blockThreshold, inFlightThreshold, TRACKED);
        this.watchdog = Watchdog.register(() -> {
            tracker.run();
            breaker.checkTimeouts();
        });
    }

    /** Stops watching this stream. */
    @Override
    public void close() {
        watchdog.close();
    }
}
