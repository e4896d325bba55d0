package io.breakwater.breaker.watch;

import io.breakwater.breaker.Subscription;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clock thread: one daemon thread for the whole JVM that runs every registered check each
 * {@value #TICK_MILLIS} ms (the trackers of every guarded producer, data source and stream, and the
 * breakers' time-based transitions). Callers never run these checks, so a stalled dependency is noticed
 * even when no call returns.
 *
 * <p>A check that throws is logged and runs again next tick; it never stops the others. A
 * {@code VirtualMachineError} is rethrown on the old thread only after a new one has taken over the ticks.
 */
public final class Watchdog {

    /** How often the checks run. */
    public static final long TICK_MILLIS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    // Registered and closed in constant time (a bus may watch 100,000 streams); a check registered during a tick
    // may run in it or from the next one.
    private static final Set<Runnable> CHECKS = ConcurrentHashMap.newKeySet();
    // Checks that come and go as their owners turn busy and idle.
    private static final Rounds RESTING = new Rounds();
    // The thread that runs the ticks; replaced only under the class lock, and cleared by a thread that stops.
    private static volatile Thread thread;

    private Watchdog() {
    }

    /** Runs {@code check} every tick until the returned handle is closed. */
    public static Subscription register(Runnable check) {
        Objects.requireNonNull(check, "check");
        CHECKS.add(check);
        ensureRunning();
        return () -> CHECKS.remove(check);
    }

    /**
     * Runs {@code check} with {@code owner} every tick until the returned handle is closed, or {@code owner} is no longer
     * reachable but through the watchdog: a guard its application forgot to close is collected, and leaves the ticks,
     * rather than staying held by this thread for good. {@code check} must not hold {@code owner} itself (a method of
     * its class, or a lambda of its argument alone).
     */
    public static <T> Subscription registerWeakly(T owner, java.util.function.Consumer<? super T> check) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(check, "check");
        WeakCheck<T> weak = new WeakCheck<>(owner, check);
        CHECKS.add(weak);
        ensureRunning();
        return () -> CHECKS.remove(weak);
    }

    /** A check that holds its owner weakly, and leaves the ticks once the owner is collected. */
    private static final class WeakCheck<T> implements Runnable {
        private final java.lang.ref.WeakReference<T> owner;
        private final java.util.function.Consumer<? super T> check;
        private final String name;

        WeakCheck(T owner, java.util.function.Consumer<? super T> check) {
            this.owner = new java.lang.ref.WeakReference<>(owner);
            this.check = check;
            this.name = owner.getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(owner));
        }

        @Override
        public void run() {
            T held = owner.get();
            if (held == null) {
                CHECKS.remove(this);
            } else {
                check.accept(held);
            }
        }

        @Override
        public String toString() {
            return "check of " + name;
        }
    }

    /** {@code check}, just woken, runs from the next tick until it rests. */
    static void wake(RestingCheck check) {
        RESTING.push(check);
        if (thread == null) {
            ensureRunning();
        }
    }

    private static synchronized void ensureRunning() {
        if (thread == null || !thread.isAlive()) {
            Thread t = new Thread(Watchdog::loop, "breakwater-watchdog");
            t.setDaemon(true);
            t.start();
            thread = t;
        }
    }

    private static void loop() {
        try {
            for (;;) {
                long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
                runChecks();
                long left;
                while ((left = next - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(left);
                }
            }
        } finally {
            synchronized (Watchdog.class) {
                if (thread == Thread.currentThread()) {
                    thread = null;
                }
            }
            try {
                ensureRunning(); // stopped by an error that no check threw: another takes over (awake checks wait)
            } catch (Throwable ignored) {
                // no thread to be had: the next register() or wake tries again
            }
        }
    }

    /** Runs every registered check once, now; on the watchdog's thread, the awake resting checks too. */
    static void runChecks() {
        VirtualMachineError fatal = null;
        for (Runnable check : CHECKS) {
            try {
                check.run();
            } catch (VirtualMachineError e) {
                fatal = fatal == null ? e : fatal;
            } catch (Throwable e) {
                LOG.warn("Breakwater watchdog check {} failed; it runs again next tick", check, e);
            }
        }
        if (Thread.currentThread() == thread) { // the resting checks' rounds have one ticking thread (tests tick the others)
            VirtualMachineError resting = RESTING.tick();
            fatal = fatal == null ? resting : fatal;
        }
        if (fatal != null) {
            synchronized (Watchdog.class) {
                if (thread == Thread.currentThread()) {
                    thread = null;
                }
            }
            ensureRunning();
            throw fatal;
        }
    }
}
