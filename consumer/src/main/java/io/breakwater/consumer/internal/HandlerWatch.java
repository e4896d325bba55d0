package io.breakwater.consumer.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Permit;
import io.breakwater.breaker.Subscription;
import io.breakwater.breaker.watch.CallTracker;
import io.breakwater.breaker.watch.TrackedCall;
import io.breakwater.breaker.watch.Watchdog;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the handler call in progress from the watchdog thread, as the producer guard watches a blocked send: a
 * call blocked longer than the threshold counts as one failure while it is still blocked (its late outcome is not
 * counted again), and, if the breaker has recorded no success at all since the call began, it is a stall that opens
 * a CLOSED breaker at once. The loop runs one handler call at a time, so one blocked call is the whole signal. In
 * the observing mode the handler's resource records into the breaker (and watches its own calls), so a blocked
 * handler is only logged: counting it here too would count one outcome twice.
 */
final class HandlerWatch implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger("io.breakwater.consumer.GatedConsumer");

    private final String name;
    private final boolean recording;
    private final CircuitBreaker breaker;
    private final Clock clock;
    private final CallTracker tracker;
    private final long thresholdNanos;
    private final String thresholdText;
    // The call in progress, or null; written by the loop thread, read by the watchdog's.
    private volatile Call current;
    private Subscription registration;

    HandlerWatch(String name, CircuitBreaker breaker, Duration threshold, boolean recording) {
        this.name = name;
        this.recording = recording;
        this.breaker = breaker;
        this.clock = breaker.config().clock();
        this.thresholdNanos = threshold.toNanos();
        this.thresholdText = "handlerBlockThreshold=" + threshold.toMillis() + " ms";
        // One call at a time; a few slots spare for calls the watchdog has not walked past yet.
        this.tracker = new CallTracker(breaker.name() + "/consumer", clock::nanoTime, threshold, threshold, 8, false);
    }

    void start() {
        registration = Watchdog.register(this);
    }

    void stop() {
        if (registration != null) {
            registration.close();
        }
    }

    /** A handler call under {@code permit} (null in the observing mode, and only then) begins now. */
    Call begin(Permit permit) {
        Call call = new Call(clock.nanoTime(), permit, breaker.callStats().successful());
        tracker.begin(call);
        current = call;
        return call;
    }

    /** The call ended; true when the loop records its outcome, false when the watchdog has counted it already. */
    boolean end(Call call) {
        current = null;
        return tracker.answer(call);
    }

    /** The watchdog's tick. */
    @Override
    public void run() {
        tracker.run();
        Call call = current;
        if (recording && call != null && !call.stalled) {
            long age = clock.nanoTime() - call.startNanos();
            if (age >= thresholdNanos && breaker.callStats().successful() == call.successesAtStart) {
                call.stalled = true;
                breaker.recordStall("a record handler blocked for " + age / 1_000_000 + " ms and nothing succeeded since ("
                        + thresholdText + ")");
            }
        }
    }

    /** One handler call. */
    final class Call extends TrackedCall {
        private final Permit permit;
        private final long successesAtStart;
        // Set once by the watchdog thread.
        private volatile boolean stalled;

        Call(long start, Permit permit, long successesAtStart) {
            super(start);
            this.permit = permit;
            this.successesAtStart = successesAtStart;
        }

        @Override
        protected void expired(boolean blocked, long ageNanos) {
            String details = "record handler blocked for " + ageNanos / 1_000_000 + " ms (" + thresholdText + ")";
            if (permit != null) {
                breaker.recordFailure(permit, details);
            } else { // the observing mode: the loop holds no permit
                LOG.warn("Consumer '{}': a {}; not counted into breaker '{}', whose own callers record (recordOutcomes "
                        + "false)", name, details, breaker.name());
            }
        }
    }

    @Override
    public String toString() {
        return "HandlerWatch[" + breaker.name() + "]";
    }
}
