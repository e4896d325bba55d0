package io.breakwater.chaos;

import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.interceptors.SendQueueFullException;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * How one operation ended, as the history writes it: {@code ok P:O} (acknowledged at partition P, offset O),
 * {@code rejected CLASS} (a breaker or a full send queue refused it: never sent), {@code spilled} (durable in the
 * spill, to be replayed), {@code fail CLASS} (indeterminate: it may or may not be on the topic) or
 * {@code pending} (never completed).
 *
 * @param kind      which of the five
 * @param partition the partition of an {@code ok}, else -1
 * @param offset    the offset of an {@code ok}, else -1
 * @param detail    the exception's simple class name of a {@code rejected} or {@code fail}, else empty
 */
record Outcome(Kind kind, int partition, long offset, String detail) {

    enum Kind {
        OK, REJECTED, SPILLED, FAIL, PENDING;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final Outcome SPILLED = new Outcome(Kind.SPILLED, -1, -1, "");
    static final Outcome PENDING = new Outcome(Kind.PENDING, -1, -1, "");

    Outcome {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    static Outcome ok(int partition, long offset) {
        return new Outcome(Kind.OK, partition, offset, "");
    }

    /**
     * The outcome of an operation that failed with {@code error}: rejected when a breaker or a full send queue
     * refused it (Breakwater promises such a record was never sent), else an indeterminate failure.
     */
    static Outcome of(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String name = t.getClass().getSimpleName();
        if (t instanceof CircuitBreakerOpenException || t instanceof SendQueueFullException) {
            return new Outcome(Kind.REJECTED, -1, -1, name);
        }
        return new Outcome(Kind.FAIL, -1, -1, name);
    }

    /** {@code ok 2:1234}, {@code rejected CircuitBreakerOpenException}, {@code spilled}, {@code fail TimeoutException}, {@code pending}. */
    String format() {
        return switch (kind) {
            case OK -> "ok " + partition + ":" + offset;
            case REJECTED, FAIL -> kind.word() + " " + detail;
            case SPILLED, PENDING -> kind.word();
        };
    }

    /** The outcome {@link #format()} wrote. */
    static Outcome parse(String text) {
        String[] parts = text.split(" ", 2);
        Kind kind;
        try {
            kind = Kind.valueOf(parts[0].toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an outcome: '" + text + "'", e);
        }
        switch (kind) {
            case OK -> {
                String[] at = parts.length == 2 ? parts[1].split(":") : new String[0];
                if (at.length != 2) {
                    throw new IllegalArgumentException("an ok outcome needs partition:offset, but was '" + text + "'");
                }
                return ok(Integer.parseInt(at[0]), Long.parseLong(at[1]));
            }
            case REJECTED, FAIL -> {
                return new Outcome(kind, -1, -1, parts.length == 2 ? parts[1] : "");
            }
            case SPILLED -> {
                return SPILLED;
            }
            default -> {
                return PENDING;
            }
        }
    }

    @Override
    public String toString() {
        return format();
    }
}
