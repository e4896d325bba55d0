package io.breakwater.breaker.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that saves breaker states, so a slow or unreachable store never delays the thread that
 * made a transition (which may be a Kafka network thread).
 */
public final class StoreWriter {

    private static final ExecutorService EXECUTOR = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(10_000), r -> {
                Thread t = new Thread(r, "breakwater-state-store");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.DiscardOldestPolicy());

    private StoreWriter() {
    }

    public static void submit(Runnable save) {
        EXECUTOR.execute(save);
    }
}
