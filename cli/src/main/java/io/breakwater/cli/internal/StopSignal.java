package io.breakwater.cli.internal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Ctrl-C during a run: the JVM runs its shutdown hooks, and the one of {@link #armed} asks the run to end
 * ({@link #requested()}, and its thread is unparked), then waits, at most a bound, for the run to have closed what
 * it opened and printed what it prints ({@link #finished()}). Without it the JVM would end in the middle of the run.
 */
final class StopSignal {

    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean requested;
    // Whether the request came before the run's own end (then the run stopped early), and when it ended; runEnded().
    private volatile boolean early;
    private volatile long ranNanos;
    private volatile Thread runner;
    private Thread hook;

    /** The current thread runs until {@link #finished()}; Ctrl-C asks it to stop, and waits up to {@code wait}. */
    void armed(Duration wait) {
        runner = Thread.currentThread();
        hook = new Thread(() -> request(wait), "breakwater-stop-on-signal");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Asks the run to end, then waits up to {@code wait} for it to finish. */
    void request(Duration wait) {
        requested = true;
        Thread r = runner;
        if (r != null) {
            LockSupport.unpark(r);
        }
        awaitFinished(wait);
    }

    boolean requested() {
        return requested;
    }

    /** Waits {@code time}, or less when asked to stop. */
    void sleep(Duration time) {
        long end = System.nanoTime() + time.toNanos();
        for (long left; !requested && (left = end - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    /** The run's own time is over, at its {@code ranNanos}, or it was asked to end: a request now only shortens its closing. */
    void runEnded(long ranNanos) {
        this.ranNanos = ranNanos;
        early = requested;
    }

    /** How long the run ran, as runEnded() was told. */
    long ranNanos() {
        return ranNanos;
    }

    /** Whether the run was asked to end before its own time was over. */
    boolean early() {
        return early;
    }

    /** Waits up to {@code wait} for the run to finish (another hook must not pull the run's files away before). */
    void awaitFinished(Duration wait) {
        try {
            finished.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The run is over: a hook waiting for it returns, and one not yet run is let go. */
    void finished() {
        finished.countDown();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is stopping (Ctrl-C): the hook runs, and has just been let go
            }
        }
    }
}
