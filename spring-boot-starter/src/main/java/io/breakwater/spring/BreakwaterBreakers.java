package io.breakwater.spring;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerConfigBuilder;
import io.breakwater.breaker.CircuitBreakerRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The application's breakers, configured from {@code breakwater.breaker} (the defaults) and
 * {@code breakwater.breakers.<name>} (per-breaker overrides), kept in one {@link CircuitBreakerRegistry}.
 *
 * <p>Every configured breaker's settings are checked when this is built, so the application fails to start on a
 * bad value, with {@link CircuitBreakerConfig}'s own message. Thread-safe.
 */
public final class BreakwaterBreakers {

    private final CircuitBreakerRegistry registry;
    private final BreakwaterProperties.Breaker defaults;
    private final Map<String, CircuitBreakerConfig> configured = new TreeMap<>();

    /**
     * @throws IllegalArgumentException naming the breaker and every bad value, as {@link CircuitBreakerConfig} does
     */
    public BreakwaterBreakers(CircuitBreakerRegistry registry, BreakwaterProperties properties) {
        this.registry = Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(properties, "properties");
        this.defaults = Objects.requireNonNull(properties.getBreaker(), "breakwater.breaker");
        config("default");
        properties.getBreakers().forEach((name, override) -> configured.put(name, config(name, override)));
    }

    /** The registry every breaker of the application is in. */
    public CircuitBreakerRegistry registry() {
        return registry;
    }

    /** The breaker called {@code name}, created with its configured settings on first use. */
    public CircuitBreaker breaker(String name) {
        Objects.requireNonNull(name, "name");
        return registry.getOrCreate(name, config(name));
    }

    /** The settings of every breaker ({@code breakwater.breaker.*}) for one called {@code name}, without its own. */
    public CircuitBreakerConfig defaults(String name) {
        return config(Objects.requireNonNull(name, "name"), null);
    }

    /** The names of the breakers with settings of their own ({@code breakwater.breakers.<name>.*}), in order. */
    public java.util.Set<String> configuredNames() {
        return java.util.Collections.unmodifiableSet(configured.keySet());
    }

    /** The settings a breaker called {@code name} gets: its override over the defaults. */
    public CircuitBreakerConfig config(String name) {
        CircuitBreakerConfig c = configured.get(name);
        return c != null ? c : config(name, null);
    }

    private CircuitBreakerConfig config(String name, BreakwaterProperties.Breaker override) {
        CircuitBreakerConfigBuilder b = CircuitBreakerConfig.builder(name);
        apply(b, defaults);
        if (override != null) {
            apply(b, override);
        }
        return b.build();
    }

    private static void apply(CircuitBreakerConfigBuilder b, BreakwaterProperties.Breaker p) {
        if (p.getFailureThreshold() != null) {
            b.failureThreshold(p.getFailureThreshold());
        }
        if (p.getSuccessThreshold() != null) {
            b.successThreshold(p.getSuccessThreshold());
        }
        if (p.getResetTimeout() != null) {
            b.resetTimeout(p.getResetTimeout());
        }
        if (p.getHalfOpenMaxCalls() != null) {
            b.halfOpenMaxCalls(p.getHalfOpenMaxCalls());
        }
        if (p.getWindowSize() != null) {
            b.windowSize(p.getWindowSize());
        }
        if (p.getWindowDuration() != null) {
            b.windowDuration(p.getWindowDuration());
        }
        if (p.getMinimumCalls() != null) {
            b.minimumCalls(p.getMinimumCalls());
        }
        if (p.getFailureRateThreshold() != null) {
            b.failureRateThreshold(p.getFailureRateThreshold());
        }
        if (p.getSlowCallRateThreshold() != null) {
            b.slowCallRateThreshold(p.getSlowCallRateThreshold());
        }
        if (p.getSlowCallDuration() != null) {
            b.slowCallDuration(p.getSlowCallDuration());
        }
    }
}
