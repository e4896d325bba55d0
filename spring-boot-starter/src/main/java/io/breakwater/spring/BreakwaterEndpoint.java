package io.breakwater.spring;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerSnapshot;
import io.breakwater.status.FleetEntry;
import io.breakwater.status.StatusReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code breakwater} Actuator endpoint: {@code GET /actuator/breakwater} lists every breaker,
 * {@code GET /actuator/breakwater/{name}} shows one, and {@code POST /actuator/breakwater/{name}} with
 * {@code {"action": "force-open" | "reset" | "disable", "reason": "..."}} changes one.
 *
 * <p>Its default access is read-only: the write operation answers only once the application sets
 * {@code management.endpoint.breakwater.access=unrestricted}, and, as for every endpoint, only where it is
 * exposed ({@code management.endpoints.web.exposure.include}) and where Spring Security, if present, lets the
 * caller in. Thread-safe.
 */
@Endpoint(id = "breakwater", defaultAccess = Access.READ_ONLY)
public class BreakwaterEndpoint {

    private final CircuitBreakerRegistry registry;
    private final @Nullable StatusReader fleet;

    public BreakwaterEndpoint(CircuitBreakerRegistry registry) {
        this(registry, null);
    }

    /** @param fleet the reader of the status topic, for the fleet view; null for none */
    public BreakwaterEndpoint(CircuitBreakerRegistry registry, @Nullable StatusReader fleet) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.fleet = fleet;
    }

    /**
     * Every breaker of the registry, by name; with a status reader, also {@code fleet}: the newest state of every
     * breaker of every instance that has not stopped, as the status topic has it.
     */
    @ReadOperation
    public Map<String, Object> breakers() {
        Map<String, Object> breakers = new TreeMap<>();
        for (CircuitBreaker breaker : registry.all()) {
            breakers.put(breaker.name(), view(breaker.snapshot()));
        }
        if (fleet == null) {
            return Map.of("breakers", breakers);
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        for (FleetEntry entry : fleet.fleetEntries(false)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("instance", entry.event().instance());
            e.put("breaker", entry.event().breaker());
            e.put("state", String.valueOf(entry.event().to()));
            e.put("since", String.valueOf(entry.event().since()));
            e.put("presence", entry.presence().name());
            e.put("lastSeen", String.valueOf(entry.lastSeen()));
            entries.add(e);
        }
        return Map.of("breakers", breakers, "fleet", entries, "fleetReader", fleet.state().name());
    }

    /** The breaker called {@code name}; null (404 over HTTP) when there is none. */
    @ReadOperation
    public @Nullable Map<String, Object> breaker(@Selector String name) {
        return registry.get(name).map(b -> view(b.snapshot())).orElse(null);
    }

    /**
     * Forces the breaker called {@code name} open, resets it to CLOSED, or disables it.
     *
     * @return the breaker after the change; null (404 over HTTP) when there is none
     * @throws InvalidEndpointRequestException (400 over HTTP) for an action other than those three
     */
    @WriteOperation
    public @Nullable Map<String, Object> change(@Selector String name, String action, @Nullable String reason) {
        CircuitBreaker breaker = registry.get(name).orElse(null);
        if (breaker == null) {
            return null;
        }
        String why = reason == null || reason.isBlank() ? "actuator" : reason;
        switch (action == null ? "" : action) {
            case "force-open" -> breaker.forceOpen(why);
            case "reset" -> breaker.reset(why);
            case "disable" -> breaker.disable(why);
            default -> throw new InvalidEndpointRequestException(
                    "action must be force-open, reset or disable, but was '" + action + "'", "Bad action");
        }
        return view(breaker.snapshot());
    }

    private static Map<String, Object> view(CircuitBreakerSnapshot s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("state", s.state().name());
        view.put("since", String.valueOf(s.since()));
        view.put("failureRate", s.failureRate());
        view.put("slowCallRate", s.slowCallRate());
        view.put("consecutiveFailures", s.consecutiveFailures());
        view.put("successfulCalls", s.successfulCalls());
        view.put("failedCalls", s.failedCalls());
        view.put("rejectedCalls", s.rejectedCalls());
        if (s.lastFailure() != null) {
            view.put("lastFailure", s.lastFailure());
            view.put("lastFailureAt", String.valueOf(s.lastFailureAt()));
        }
        s.nextAttempt().ifPresent(at -> view.put("nextAttemptAt", at.toString()));
        return view;
    }
}
