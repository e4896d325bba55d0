package io.breakwater.eventbus;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.breakwater.breaker.CircuitBreakerSnapshot;
import io.breakwater.transport.redpanda.JsonEventCodec;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The health-check shape of the original guide: healthy when no circuit rejects calls.
 *
 * @param healthy           no breaker is OPEN or FORCED_OPEN
 * @param openCircuits      the names of the breakers that are OPEN or FORCED_OPEN
 * @param openCircuitsCount how many
 * @param circuitBreakers   every breaker of the bus (channels and transport) by name
 */
public record HealthReport(
        @JsonProperty("healthy") boolean healthy,
        @JsonProperty("open_circuits") List<String> openCircuits,
        @JsonProperty("open_circuits_count") int openCircuitsCount,
        @JsonProperty("circuit_breakers") Map<String, CircuitBreakerSnapshot> circuitBreakers) {

    /** The report as JSON (times as ISO-8601 strings). */
    public String toJson() {
        try {
            return JsonEventCodec.defaultMapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("could not write the health report", e);
        }
    }
}
