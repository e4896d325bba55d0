package io.breakwater.interceptors.internal;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread for the whole JVM that runs every registered check each {@value #TICK_MILLIS} ms:
 * the in-flight and blocked-send checks of every guarded producer, and the breakers' time-based
 * transitions. Callers never run these checks, so a stalled cluster is noticed even when no send returns.
 */
public final class Watchdog {

    /** How often the checks run. */
    public static final long TICK_MILLIS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    private static final Set<Runnable> CHECKS = new CopyOnWriteArraySet<>();
    private static final ScheduledExecutorService EXECUTOR = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "breakwater-watchdog");
        t.setDaemon(true);
        return t;
    });

    static {
        EXECUTOR.scheduleWithFixedDelay(Watchdog::runChecks, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private Watchdog() {
    }

    private static void runChecks() {
        for (Runnable check : CHECKS) {
            try {
                check.run();
            } catch (RuntimeException e) {
                LOG.warn("Breakwater watchdog check {} failed; it runs again next tick", check, e);
            }
        }
    }

    /** Runs {@code check} every tick until the returned handle is closed. */
    public static AutoCloseable register(Runnable check) {
        CHECKS.add(check);
        return () -> CHECKS.remove(check);
    }
}
