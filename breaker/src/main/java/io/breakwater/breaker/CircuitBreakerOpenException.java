package io.breakwater.breaker;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A call was refused because a breaker does not admit it. Unchecked. It names the breaker and, when
 * known, when the breaker will next admit a call. Its stack trace is off unless the breaker's config
 * asks for it, and its message is built only when read, so rejecting is cheap while a dependency is down:
 * one small object per refusal. Every refusal gets an instance of its own, so it can be thrown beside
 * another refusal of the same breaker (try-with-resources, collected failures) and take suppressed ones.
 */
public final class CircuitBreakerOpenException extends RuntimeException {

    // 2: the wait until the next permitted call replaced the wall-clock time of the refusal.
    private static final long serialVersionUID = 2L;
    private static final long UNKNOWN = Long.MIN_VALUE;

    private final String breakerName;
    private final CircuitBreakerState state;
    private final Instant nextPermittedAt;
    // When the refusal was seen, from a caller of of(); null for a breaker's own refusal, which keeps instead how long
    // it was then until nextPermittedAt, on the breaker's monotonic clock (UNKNOWN without one): no wall-clock read
    // per refusal.
    private final Instant seenAt;
    private final long waitNanos;
    // Built on first use: rejecting must stay cheap even where nobody reads the message.
    private volatile String message;

    private CircuitBreakerOpenException(String breakerName, CircuitBreakerState state, Instant nextPermittedAt,
                                        Instant seenAt, long waitNanos, boolean writableStackTrace) {
        super(null, null, true, writableStackTrace);
        this.breakerName = breakerName;
        this.state = state;
        this.nextPermittedAt = nextPermittedAt;
        this.seenAt = seenAt;
        this.waitNanos = waitNanos;
    }

    /** A breaker's refusal, {@code waitNanos} before {@code nextPermittedAt} (negative: the time is not known). */
    static CircuitBreakerOpenException refused(String breakerName, CircuitBreakerState state, Instant nextPermittedAt,
                                               long waitNanos, boolean writableStackTrace) {
        return new CircuitBreakerOpenException(breakerName, state, nextPermittedAt, null,
                nextPermittedAt == null || waitNanos < 0 ? UNKNOWN : waitNanos, writableStackTrace);
    }

    @Override
    public String getMessage() {
        String m = message;
        if (m == null) {
            long waitMillis = seenAt != null && nextPermittedAt != null ? Duration.between(seenAt, nextPermittedAt).toMillis()
                    : seenAt == null && waitNanos != UNKNOWN ? waitNanos / 1_000_000 : UNKNOWN;
            m = message(breakerName, state, nextPermittedAt, waitMillis);
            message = m;
        }
        return m;
    }

    /**
     * An exception for breaker {@code breakerName} in {@code state}, whose next call is permitted at
     * {@code nextPermittedAt} (null when unknown, as when forced open), seen at {@code now}.
     */
    public static CircuitBreakerOpenException of(String breakerName, CircuitBreakerState state,
                                                 Instant nextPermittedAt, Instant now, boolean writableStackTrace) {
        Objects.requireNonNull(breakerName, "breakerName");
        Objects.requireNonNull(state, "state");
        return new CircuitBreakerOpenException(breakerName, state, nextPermittedAt, now, UNKNOWN, writableStackTrace);
    }

    private static String message(String name, CircuitBreakerState state, Instant next, long waitMillis) {
        String fixed = fixedPart(name, state, next);
        if (state == CircuitBreakerState.HALF_OPEN || next == null || waitMillis == UNKNOWN) {
            return fixed;
        }
        long tenths = (Math.max(0, waitMillis) + 50) / 100;
        return fixed + " (in " + tenths / 10 + "." + tenths % 10 + " s)";
    }

    /** What a message says about one breaker in one state until one next attempt: the same for every refusal then. */
    private record FixedPart(String name, CircuitBreakerState state, Instant next, String text) {
    }

    // The latest fixed part built: a breaker refusing many calls while OPEN formats its time once, not per message
    // (a CompletableFuture that wraps a refusal reads its message). A race only builds one again.
    private static volatile FixedPart lastFixedPart;

    private static String fixedPart(String name, CircuitBreakerState state, Instant next) {
        FixedPart last = lastFixedPart;
        if (last != null && last.state == state && last.name.equals(name) && Objects.equals(last.next, next)) {
            return last.text;
        }
        StringBuilder m = new StringBuilder("Circuit breaker '").append(name).append("' is ").append(state);
        if (state == CircuitBreakerState.HALF_OPEN) {
            m.append(" and admits no more trial calls now");
            if (next == null) {
                m.append("; it admits more as its trials are answered");
            } else {
                m.append("; a trial unanswered until ").append(next).append(" will count as failed");
            }
        } else if (next == null) {
            m.append("; no call is permitted until it is reset");
        } else {
            m.append("; next call permitted at ").append(next);
        }
        String text = m.toString();
        lastFixedPart = new FixedPart(name, state, next, text);
        return text;
    }

    /** The name of the breaker that refused the call. */
    public String breakerName() {
        return breakerName;
    }

    /** The breaker's state when it refused. */
    public CircuitBreakerState state() {
        return state;
    }

    /** When the breaker will next admit a call; empty when it was forced open. */
    public Optional<Instant> nextPermittedAt() {
        return Optional.ofNullable(nextPermittedAt);
    }
}
