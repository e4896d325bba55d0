package io.breakwater.eventbus.internal;

import java.util.concurrent.CompletableFuture;

/** Small helpers for futures. */
public final class Futures {

    private Futures() {
    }

    /** Completes {@code to} as {@code from} completes: with its value, or with its exception as it is. */
    public static <T> void relay(CompletableFuture<T> from, CompletableFuture<T> to) {
        from.whenComplete((value, error) -> {
            if (error == null) {
                to.complete(value);
            } else {
                to.completeExceptionally(error);
            }
        });
    }
}
