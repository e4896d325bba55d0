package io.breakwater.eventbus;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One spill of the bus, as it is now.
 *
 * @param store           where it is ({@code sqlite:/path}, or a JDBC URL without credentials, and the table)
 * @param pending         events waiting to be replayed (held, or still being appended)
 * @param pendingBytes    their size
 * @param appended        events appended since the bus started
 * @param replayed        events replayed (acknowledged, then removed) since the bus started
 * @param appendFailures  events whose append failed (their publishes failed with the store's error)
 * @param dropped         spilled events that can never be sent (too large, an invalid record), dropped
 *                        from the spill and logged at ERROR rather than holding their stream forever
 * @param replayLagMillis how long the oldest pending event has waited; 0 when none waits
 * @param refusedFull     publishes refused at once because their event would not fit ({@code SpillFullException})
 * @param full            the spill refuses events for room: one did not fit, and it has held 90 % or more of its
 *                        {@code maxEvents} or {@code maxBytes} since. The bus is then unhealthy.
 */
public record SpillStatus(
        @JsonProperty("store") String store,
        @JsonProperty("pending") long pending,
        @JsonProperty("pending_bytes") long pendingBytes,
        @JsonProperty("appended") long appended,
        @JsonProperty("replayed") long replayed,
        @JsonProperty("append_failures") long appendFailures,
        @JsonProperty("dropped") long dropped,
        @JsonProperty("replay_lag_ms") long replayLagMillis,
        @JsonProperty("refused_full") long refusedFull,
        @JsonProperty("full") boolean full) {

    /** A status without refusals for room. */
    public SpillStatus(String store, long pending, long pendingBytes, long appended, long replayed, long appendFailures,
                       long dropped, long replayLagMillis) {
        this(store, pending, pendingBytes, appended, replayed, appendFailures, dropped, replayLagMillis, 0, false);
    }
}
