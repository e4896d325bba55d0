package io.breakwater.interceptors.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/** The one thread of the JVM that fails the records of send queues whose breaker opened, off the thread that opened it. */
final class QueueDrains {

    private static final String THREAD = "breakwater-send-queue-drain";

    static final Executor EXECUTOR = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, THREAD);
        t.setDaemon(true);
        return t;
    });

    private QueueDrains() {
    }
}
