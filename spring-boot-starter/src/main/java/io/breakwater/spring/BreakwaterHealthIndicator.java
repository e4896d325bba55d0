package io.breakwater.spring;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.CircuitBreakerState;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code breakwater} health indicator: the state of every breaker of the registry.
 *
 * <table>
 *   <caption>Status mapping</caption>
 *   <tr><th>breakers</th><th>status</th></tr>
 *   <tr><td>none, or every one CLOSED, HALF_OPEN or DISABLED</td><td>UP</td></tr>
 *   <tr><td>at least one OPEN or FORCED_OPEN</td><td>OUT_OF_SERVICE</td></tr>
 * </table>
 *
 * <p>HALF_OPEN is UP: trial calls are flowing. The details name each breaker's state, and list the ones that
 * refuse calls under {@code open}. An open breaker means a dependency is down, not that this process is broken:
 * the starter puts this indicator in the readiness group, never in liveness, so a probe takes the pod out of
 * service instead of restarting it. Thread-safe.
 */
public final class BreakwaterHealthIndicator implements HealthIndicator {

    private final CircuitBreakerRegistry registry;

    public BreakwaterHealthIndicator(CircuitBreakerRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public Health health() {
        Map<String, String> states = new TreeMap<>();
        Map<String, String> open = new TreeMap<>();
        for (CircuitBreaker breaker : registry.all()) {
            // A breaker nothing calls (readiness took the traffic away) must still leave OPEN once its reset timeout passed.
            breaker.checkTimeouts();
            CircuitBreakerState state = breaker.state();
            states.put(breaker.name(), state.name());
            if (state.rejectsCalls()) {
                open.put(breaker.name(), state.name());
            }
        }
        Health.Builder health = open.isEmpty() ? Health.up() : Health.outOfService().withDetail("open", open);
        return health.withDetail("breakers", states).build();
    }
}
