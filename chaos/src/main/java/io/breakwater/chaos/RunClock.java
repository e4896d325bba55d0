package io.breakwater.chaos;

/** Time since the start of a run, in microseconds, by the monotonic clock. Thread-safe. */
final class RunClock {

    private final long startNanos = System.nanoTime();

    long micros() {
        return (System.nanoTime() - startNanos) / 1000;
    }
}
