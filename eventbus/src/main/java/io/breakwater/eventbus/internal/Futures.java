package io.breakwater.eventbus.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Small helpers for futures. Where nothing reads the stage an action returns, {@code handle} is used, not
 * {@code whenComplete}: on a failed future {@code whenComplete}'s stage wraps the exception in a
 * {@code CompletionException}, which fills in a stack trace and reads the cause's message, per call.
 */
public final class Futures {

    private Futures() {
    }

    /** Completes {@code to} as {@code from} completes: with its value, or with its exception as it is. */
    public static <T> void relay(CompletableFuture<T> from, CompletableFuture<T> to) {
        from.handle((value, error) -> {
            if (error == null) {
                to.complete(value);
            } else {
                to.completeExceptionally(error);
            }
            return null;
        });
    }
}
