package io.breakwater.eventbus;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One spill of the bus, as it is now.
 *
 * @param store           where it is ({@code sqlite:/path}, or a JDBC URL without credentials, and the table)
 * @param pending         events waiting to be replayed (held, or still being appended), and those a cut-over holds
 *                        in memory ({@code held})
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
 * @param held            events held in memory by streams cutting over from the spill to direct sends under a
 *                        steady load (at most 2,500 a stream, for at most 2 s); they are sent behind the last replayed
 *                        ones, or follow them into the spill if the cut-over is given up
 * @param cutOvers        cut-overs begun since the bus started
 * @param cutOversGivenUp of those, the ones given up (a bound passed, a replayed batch failed, the breaker left
 *                        CLOSED), each logged at DEBUG with its reason; the stream stays in its spill for another try
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
        @JsonProperty("full") boolean full,
        @JsonProperty("held") long held,
        @JsonProperty("cut_overs") long cutOvers,
        @JsonProperty("cut_overs_given_up") long cutOversGivenUp) {

    /** A status without refusals for room. */
    public SpillStatus(String store, long pending, long pendingBytes, long appended, long replayed, long appendFailures,
                       long dropped, long replayLagMillis) {
        this(store, pending, pendingBytes, appended, replayed, appendFailures, dropped, replayLagMillis, 0, false);
    }

    /** A status without cut-overs. */
    public SpillStatus(String store, long pending, long pendingBytes, long appended, long replayed, long appendFailures,
                       long dropped, long replayLagMillis, long refusedFull, boolean full) {
        this(store, pending, pendingBytes, appended, replayed, appendFailures, dropped, replayLagMillis, refusedFull, full,
                0, 0, 0);
    }
}
