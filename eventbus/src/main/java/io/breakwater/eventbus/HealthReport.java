package io.breakwater.eventbus;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.breakwater.breaker.CircuitBreakerSnapshot;
import io.breakwater.transport.redpanda.JsonEventCodec;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The health-check shape of the original guide: healthy when no circuit rejects calls and no spill refuses events.
 *
 * @param healthy           no breaker is OPEN or FORCED_OPEN, and no spill is {@linkplain SpillStatus#full() full}
 * @param openCircuits      the names of the breakers that are OPEN or FORCED_OPEN
 * @param openCircuitsCount how many
 * @param circuitBreakers   every breaker of the bus (channels and transport) by name
 * @param spills            every spill of the bus: what waits in it, what it took and gave back (empty without one)
 */
public record HealthReport(
        @JsonProperty("healthy") boolean healthy,
        @JsonProperty("open_circuits") List<String> openCircuits,
        @JsonProperty("open_circuits_count") int openCircuitsCount,
        @JsonProperty("circuit_breakers") Map<String, CircuitBreakerSnapshot> circuitBreakers,
        @JsonProperty("spills") List<SpillStatus> spills) {

    /** A report of a bus without a spill. */
    public HealthReport(boolean healthy, List<String> openCircuits, int openCircuitsCount,
                        Map<String, CircuitBreakerSnapshot> circuitBreakers) {
        this(healthy, openCircuits, openCircuitsCount, circuitBreakers, List.of());
    }

    // The event mapper's java.time handling, with every field name in the guide's snake_case (failure_rate,
    // last_failure_at...), nested snapshots included; breaker names, the keys of circuit_breakers, stay as
    // they are. A copy of its own: events keep the codec's names.
    private static final ObjectMapper JSON = JsonEventCodec.defaultMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /**
     * The report as JSON, every field name in snake_case at every depth, times as ISO-8601 strings:
     * {@code {"healthy":false,"open_circuits":["redpanda_transport"],"open_circuits_count":1,
     * "circuit_breakers":{"redpanda_transport":{"name":...,"state":"OPEN","failure_rate":1.0,
     * "last_failure_at":"2026-01-01T00:01:00Z","next_attempt_at":...}}}}.
     */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("could not write the health report", e);
        }
    }
}
