package io.breakwater.breaker;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Small helpers for classifying and describing failures. */
public final class Throwables {

    private Throwables() {
    }

    /** {@code failure} without its {@code ExecutionException} and {@code CompletionException} wrappers. */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Whether {@code failure}, unwrapped, is an instance of one of {@code types}. */
    public static boolean isAny(Throwable failure, List<Class<? extends Throwable>> types) {
        Throwable t = unwrap(failure);
        for (Class<? extends Throwable> type : types) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * "{@code fully.qualified.Class}: message", with secrets (passwords, tokens, credentials in URIs) masked
     * and at most 500 characters: safe for logs, reports and the status topic.
     */
    public static String describe(Throwable failure) {
        return io.breakwater.breaker.internal.Failures.describe(failure);
    }

    /** {@code text} with secrets masked and control characters removed, at most 500 characters. */
    public static String sanitize(String text) {
        return io.breakwater.breaker.internal.Failures.sanitize(text);
    }
}
