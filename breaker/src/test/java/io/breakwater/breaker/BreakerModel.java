package io.breakwater.breaker;

import java.util.ArrayList;
import java.util.List;

/**
 * The rules of DESIGN.md written as plainly as possible, single-threaded, with lists instead of
 * lock-free counters. The model-based property checks the real breaker against it step by step.
 */
final class BreakerModel {

    record Entry(long atNanos, boolean failed, boolean slow) {
    }

    private final CircuitBreakerConfig config;
    final List<String> transitions = new ArrayList<>();
    CircuitBreakerState state = CircuitBreakerState.CLOSED;
    private final List<Entry> entries = new ArrayList<>();
    private int consecutiveFailures;
    private long openUntil;
    private long openedAt;
    private int reopenCount;
    private int issued;
    private int successes;
    private long lastPermit;

    BreakerModel(CircuitBreakerConfig config) {
        this.config = config;
    }

    boolean acquire(long now) {
        while (true) {
            switch (state) {
                case CLOSED, DISABLED -> {
                    return true;
                }
                case FORCED_OPEN -> {
                    return false;
                }
                case OPEN -> {
                    if (now < openUntil) {
                        return false;
                    }
                    move(CircuitBreakerState.HALF_OPEN);
                    issued = 0;
                    successes = 0;
                    lastPermit = now;
                }
                case HALF_OPEN -> {
                    if (issued < config.halfOpenMaxCalls()) {
                        issued++;
                        lastPermit = now;
                        return true;
                    }
                    if (now - lastPermit >= config.halfOpenMaxWait().toNanos()) {
                        open(now, reopenCount + 1);
                        continue;
                    }
                    return false;
                }
                default -> throw new AssertionError(state);
            }
        }
    }

    void success(long now, long duration) {
        boolean slow = isSlow(duration);
        if (state == CircuitBreakerState.CLOSED) {
            consecutiveFailures = 0;
            entries.add(new Entry(now, false, slow));
            if (slow) {
                checkRates(now);
            }
        } else if (state == CircuitBreakerState.HALF_OPEN) {
            if (slow && config.slowCallRateThreshold().isPresent()) {
                open(now, reopenCount + 1);
            } else if (++successes >= config.successThreshold()) {
                close();
            }
        }
    }

    void failure(long now, long duration) {
        boolean slow = isSlow(duration);
        if (state == CircuitBreakerState.CLOSED) {
            consecutiveFailures++;
            entries.add(new Entry(now, true, slow));
            if (consecutiveFailures >= config.failureThreshold()) {
                open(now, 0);
            } else {
                checkRates(now);
            }
        } else if (state == CircuitBreakerState.HALF_OPEN) {
            open(now, reopenCount + 1);
        }
    }

    void ignored() {
        if (state == CircuitBreakerState.HALF_OPEN && issued > 0) {
            issued--;
        }
    }

    void forceOpen() {
        if (state != CircuitBreakerState.FORCED_OPEN) {
            move(CircuitBreakerState.FORCED_OPEN);
        }
    }

    void disable() {
        if (state != CircuitBreakerState.DISABLED) {
            move(CircuitBreakerState.DISABLED);
        }
    }

    void reset() {
        close();
    }

    /** Calls, failures and slow calls in the window now, as the snapshot should report them in CLOSED. */
    List<Integer> windowCounts(long now) {
        List<Entry> window = window(now);
        return List.of(window.size(), (int) window.stream().filter(Entry::failed).count(),
                (int) window.stream().filter(Entry::slow).count());
    }

    long openUntil() {
        return openUntil;
    }

    long openedAt() {
        return openedAt;
    }

    private boolean isSlow(long duration) {
        return config.slowCallDuration().isPresent() && duration >= config.slowCallDuration().get().toNanos();
    }

    private List<Entry> window(long now) {
        if (config.windowSize().isPresent()) {
            int size = config.windowSize().getAsInt();
            return entries.subList(Math.max(0, entries.size() - size), entries.size());
        }
        if (config.windowDuration().isPresent()) {
            long seconds = config.windowDuration().get().toSeconds();
            long nowSecond = Math.floorDiv(now, 1_000_000_000L);
            return entries.stream()
                    .filter(e -> Math.floorDiv(e.atNanos(), 1_000_000_000L) > nowSecond - seconds)
                    .toList();
        }
        return List.of();
    }

    private void checkRates(long now) {
        if (!config.hasWindow()) {
            return;
        }
        List<Entry> window = window(now);
        if (window.size() < config.minimumCalls()) {
            return;
        }
        double failureRate = (double) window.stream().filter(Entry::failed).count() / window.size();
        double slowRate = (double) window.stream().filter(Entry::slow).count() / window.size();
        if (config.failureRateThreshold().isPresent() && failureRate >= config.failureRateThreshold().getAsDouble()) {
            open(now, 0);
        } else if (config.slowCallRateThreshold().isPresent() && slowRate >= config.slowCallRateThreshold().getAsDouble()) {
            open(now, 0);
        }
    }

    private void open(long now, int reopens) {
        move(CircuitBreakerState.OPEN);
        reopenCount = reopens;
        openedAt = now;
        double wait = Math.min(config.resetTimeout().toNanos() * Math.pow(config.backoffMultiplier(), reopens),
                config.maxResetTimeout().toNanos());
        openUntil = now + Math.max(1L, (long) wait);
    }

    private void close() {
        move(CircuitBreakerState.CLOSED);
        entries.clear();
        consecutiveFailures = 0;
        reopenCount = 0;
    }

    private void move(CircuitBreakerState to) {
        transitions.add(state + "->" + to);
        state = to;
    }
}
