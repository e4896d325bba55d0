package io.breakwater.breaker.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The threads that talk to state stores, so a slow or unreachable store never delays the thread that made
 * a transition (which may be a Kafka network thread) or created a breaker: one thread saves, in order;
 * another loads. Both queues are bounded; a save that does not fit is dropped oldest-first and reported.
 */
public final class StoreThreads {

    private static final int QUEUE = 10_000;
    private static final ExecutorService SAVES = executor("breakwater-state-save", (r, pool) -> {
        Runnable dropped = pool.getQueue().poll();
        if (dropped instanceof Save save) {
            save.onDrop.accept(save);
        }
        pool.execute(r);
    });
    private static final ExecutorService LOADS = executor("breakwater-state-load", new ThreadPoolExecutor.AbortPolicy());

    private StoreThreads() {
    }

    /** Runs {@code save} on the save thread; {@code onDrop} hears of it if it is dropped from a full queue. */
    public static void save(Runnable save, Consumer<Runnable> onDrop) {
        SAVES.execute(new Save(save, onDrop));
    }

    /** Runs {@code load} on the load thread. */
    public static void load(Runnable load) {
        LOADS.execute(load);
    }

    private static ExecutorService executor(String name, RejectedExecutionHandler whenFull) {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }, whenFull);
    }

    private record Save(Runnable task, Consumer<Runnable> onDrop) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }
}
