package io.breakwater.consumer.internal;

import io.breakwater.breaker.Clock;
import io.breakwater.consumer.ConsumerStats;
import io.breakwater.consumer.ConsumerStats.State;
import java.time.Duration;
import java.time.Instant;

/**
 * The loop's counters. The counts are written by the loop thread only (plain increments of volatile fields are
 * safe with one writer), the pause figures under the lock; any thread reads them through {@link #snapshot}.
 */
final class LoopCounters {

    private final String name;
    private final String breaker;
    private final Clock clock;

    volatile State state = State.NEW;
    volatile int assigned;
    volatile int paused;
    // The pause figures change together under the counters' lock (pauses are rare): the start of the current pause
    // (monotonic; PAUSE_NONE while running), its wall-clock time, the time of the pauses before, their number.
    private long pausedAtNanos = PAUSE_NONE;
    private long pausedAtMillis;
    private long pausedNanosBefore;
    private long pauses;
    volatile long handled;
    volatile long trials;
    volatile long redelivered;
    volatile long handlerFailures;
    volatile long failed;
    volatile long dropped;
    volatile long commitFailures;

    private static final long PAUSE_NONE = Long.MIN_VALUE;

    LoopCounters(String name, String breaker, Clock clock) {
        this.name = name;
        this.breaker = breaker;
        this.clock = clock;
    }

    synchronized void pauseBegins() {
        if (pausedAtNanos == PAUSE_NONE) {
            pausedAtMillis = clock.currentTimeMillis();
            pausedAtNanos = clock.nanoTime();
            pauses++;
        }
    }

    synchronized void pauseEnds() {
        long at = pausedAtNanos;
        if (at != PAUSE_NONE) {
            pausedNanosBefore += clock.nanoTime() - at;
            pausedAtNanos = PAUSE_NONE;
        }
    }

    synchronized ConsumerStats snapshot() {
        long at = pausedAtNanos;
        boolean pausedNow = at != PAUSE_NONE;
        long total = pausedNanosBefore + (pausedNow ? Math.max(0, clock.nanoTime() - at) : 0);
        State s = state;
        if (s == State.RUNNING && pausedNow) {
            s = State.PAUSED;
        }
        return new ConsumerStats(name, breaker, s, assigned, paused, pausedNow ? Instant.ofEpochMilli(pausedAtMillis) : null,
                Duration.ofNanos(total), pauses, handled, trials, redelivered, handlerFailures, failed, dropped, commitFailures);
    }
}
