package io.breakwater.status;

import io.breakwater.breaker.CircuitBreakerSnapshot;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.StateTransition;
import java.time.Instant;
import java.util.Objects;

/**
 * What one breaker of one instance did, as it goes to the status topic, keyed {@code {instance}/{breaker}}: a
 * transition, or its state when it was attached to a publisher ({@code started}) or detached from it
 * ({@code stopped}). The JSON form (see {@link StatusEventCodec}) is documented by {@code status-event.schema.json}.
 * Immutable.
 *
 * @param schema       the JSON layout version: {@value #SCHEMA}, or 1 for a transition read from an older writer
 * @param kind         a transition, or the breaker's state when it started or stopped being published
 * @param breaker      the breaker's name
 * @param instance     the application instance that owns the breaker
 * @param from         the state left (for {@code started} and {@code stopped}, the state, as {@code to})
 * @param to           the state entered, or held
 * @param at           when
 * @param since        when the breaker entered {@code to} ({@code at} for a transition)
 * @param reason       why, as a sentence; {@code started} and {@code stopped} for those kinds
 * @param failureRate  failure rate of the period that ended (of the current window for started and stopped), in [0, 1]
 * @param slowCallRate slow-call rate of that period, in [0, 1]
 * @param failureCount failures of that period
 * @param successCount successes of that period
 * @param lastError    the breaker's last failure ("Class: message", truncated, secrets masked), or null
 * @param sequence     a transition's number (1 for the breaker's first); for started 0, for stopped the last transition's
 */
public record StatusEvent(
        int schema,
        Kind kind,
        String breaker,
        String instance,
        CircuitBreakerState from,
        CircuitBreakerState to,
        Instant at,
        Instant since,
        String reason,
        double failureRate,
        double slowCallRate,
        int failureCount,
        int successCount,
        String lastError,
        long sequence) implements StatusMessage {

    /** The current JSON layout version. */
    public static final int SCHEMA = 2;

    /** What a breaker event says. */
    public enum Kind {
        /** The breaker moved from one state to another. */
        TRANSITION,
        /** The breaker was attached to a status publisher: its state then, not a transition. */
        STARTED,
        /** The breaker was detached (its producer or bus closed): its last state. */
        STOPPED
    }

    public StatusEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(reason, "reason");
        if (schema != 1 && schema != SCHEMA) {
            throw new IllegalArgumentException("schema must be 1 or " + SCHEMA + ", but was " + schema);
        }
        if (schema == 1 && (kind != Kind.TRANSITION || !since.equals(at))) {
            throw new IllegalArgumentException("a schema-1 event is a transition with since = at, but was " + kind
                    + " since " + since + " at " + at);
        }
        rate("failureRate", failureRate);
        rate("slowCallRate", slowCallRate);
        if (failureCount < 0 || successCount < 0 || sequence < 0) {
            throw new IllegalArgumentException("failureCount, successCount and sequence must be >= 0, but were "
                    + failureCount + ", " + successCount + " and " + sequence);
        }
    }

    /** A transition, in the layout of schema 1 ({@code schema} 1) or of the current one (since = at). */
    public StatusEvent(int schema, String breaker, String instance, CircuitBreakerState from, CircuitBreakerState to,
                       Instant at, String reason, double failureRate, double slowCallRate, int failureCount,
                       int successCount, String lastError, long sequence) {
        this(schema, Kind.TRANSITION, breaker, instance, from, to, at, at, reason, failureRate, slowCallRate,
                failureCount, successCount, lastError, sequence);
    }

    private static void rate(String field, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(field + " must be in [0, 1], but was " + value);
        }
    }

    /** The event of {@code transition} of a breaker of {@code instance}. */
    public static StatusEvent of(String instance, StateTransition transition) {
        return new StatusEvent(SCHEMA, Kind.TRANSITION, transition.breaker(), instance, transition.from(), transition.to(),
                transition.at(), transition.at(), transition.reason(), transition.failureRate(), transition.slowCallRate(),
                transition.failureCount(), transition.successCount(), transition.lastError(), transition.sequence());
    }

    /**
     * The state of a breaker as {@code snapshot} shows it, at {@code at}: {@code STARTED} or {@code STOPPED}, with
     * that word as the reason, the window's counts, and {@code sequence}.
     */
    public static StatusEvent of(String instance, Kind kind, CircuitBreakerSnapshot snapshot, Instant at, long sequence) {
        if (Objects.requireNonNull(kind, "kind") == Kind.TRANSITION) {
            throw new IllegalArgumentException("kind must be STARTED or STOPPED for a snapshot, but was TRANSITION");
        }
        int failures = Math.max(snapshot.windowFailures(), snapshot.consecutiveFailures());
        return new StatusEvent(SCHEMA, kind, snapshot.name(), instance, snapshot.state(), snapshot.state(), at,
                snapshot.since(), kind == Kind.STARTED ? "started" : "stopped", snapshot.failureRate(),
                snapshot.slowCallRate(), failures, Math.max(0, snapshot.windowCalls() - snapshot.windowFailures()),
                snapshot.lastFailure(), sequence);
    }

    /** The record key: {@code {instance}/{breaker}}. */
    @Override
    public String key() {
        return key(instance, breaker);
    }

    /** The record key of {@code breaker} of {@code instance}. */
    public static String key(String instance, String breaker) {
        return instance + "/" + breaker;
    }
}
