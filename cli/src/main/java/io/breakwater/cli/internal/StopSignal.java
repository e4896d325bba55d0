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
        try {
            finished.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean requested() {
        return requested;
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
