package io.breakwater.breaker;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A call was refused because a breaker does not admit it. Unchecked. It names the breaker and, when
 * known, when the breaker will next admit a call. Its stack trace is off unless the breaker's config
 * asks for it, so rejecting is cheap while a dependency is down: then an OPEN or FORCED_OPEN breaker
 * throws one instance for its whole period, whose message counts the time left from when it is read.
 */
public final class CircuitBreakerOpenException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String breakerName;
    private final CircuitBreakerState state;
    private final Instant nextPermittedAt;
    private final Instant seenAt;
    // The breaker's clock, for an instance shared by a whole period: the message's "in ... s" is counted from
    // when it is read. Null otherwise.
    private final transient Clock clock;
    // Built on first use: rejecting must stay cheap even where nobody reads the message.
    private volatile String message;

    private CircuitBreakerOpenException(String breakerName, CircuitBreakerState state, Instant nextPermittedAt,
                                        Instant seenAt, boolean writableStackTrace, Clock clock) {
        super(null, null, false, writableStackTrace);
        this.breakerName = breakerName;
        this.state = state;
        this.nextPermittedAt = nextPermittedAt;
        this.seenAt = seenAt;
        this.clock = clock;
    }

    /** One instance for every call a breaker refuses in one period: no stack trace, and nothing to suppress or add. */
    static CircuitBreakerOpenException shared(String breakerName, CircuitBreakerState state, Instant nextPermittedAt,
                                              Clock clock) {
        return new CircuitBreakerOpenException(breakerName, state, nextPermittedAt, null, false, clock);
    }

    @Override
    public String getMessage() {
        if (clock != null) {
            return message(breakerName, state, nextPermittedAt, Instant.ofEpochMilli(clock.currentTimeMillis()));
        }
        String m = message;
        if (m == null) {
            m = message(breakerName, state, nextPermittedAt, seenAt);
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
        return new CircuitBreakerOpenException(breakerName, state, nextPermittedAt, now, writableStackTrace, null);
    }

    private static String message(String name, CircuitBreakerState state, Instant next, Instant now) {
        StringBuilder m = new StringBuilder("Circuit breaker '").append(name).append("' is ").append(state);
        if (state == CircuitBreakerState.HALF_OPEN) {
            m.append(" and admits no more trial calls now");
            if (next == null) {
                return m.append("; it admits more as its trials are answered").toString();
            }
            return m.append("; a trial unanswered until ").append(next).append(" will count as failed").toString();
        }
        if (next == null) {
            return m.append("; no call is permitted until it is reset").toString();
        }
        m.append("; next call permitted at ").append(next);
        if (now != null) {
            long millis = Math.max(0, Duration.between(now, next).toMillis());
            m.append(" (in ").append(String.format(java.util.Locale.ROOT, "%.1f", millis / 1000.0)).append(" s)");
        }
        return m.toString();
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
