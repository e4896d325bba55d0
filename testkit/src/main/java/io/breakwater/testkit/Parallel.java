package io.breakwater.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Runs one action on several items at once, each on a thread of its own, and waits for all of them. */
final class Parallel {

    private Parallel() {
    }

    /**
     * Runs {@code action} on every item (on the caller's thread when there is one) and returns once all have
     * ended. The first failure is thrown, the others added to it as suppressed.
     */
    static <T> void forEach(String what, List<T> items, Consumer<T> action) {
        forEach(what, items, action, () -> { });
    }

    /**
     * Like {@link #forEach(String, List, Consumer)}; the first failure also runs {@code onFirstFailure} at once (on
     * the failing thread), to make the others end sooner.
     */
    static <T> void forEach(String what, List<T> items, Consumer<T> action, Runnable onFirstFailure) {
        if (items.size() == 1) {
            action.accept(items.get(0));
            return;
        }
        List<Throwable> failures = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            T item = items.get(i);
            Thread t = new Thread(() -> {
                try {
                    action.accept(item);
                } catch (Throwable e) {
                    boolean first;
                    synchronized (failures) {
                        first = failures.isEmpty();
                        failures.add(e);
                    }
                    if (first) {
                        onFirstFailure.run();
                    }
                }
            }, "testkit-" + what + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting to " + what, e);
            }
        }
        synchronized (failures) {
            if (failures.isEmpty()) {
                return;
            }
            Throwable first = failures.get(0);
            for (Throwable other : failures.subList(1, failures.size())) {
                if (other != first) {   // one instance thrown by several items (a shared failure) cannot suppress itself
                    first.addSuppressed(other);
                }
            }
            if (first instanceof RuntimeException r) {
                throw r;
            }
            if (first instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("could not " + what, first);
        }
    }
}
