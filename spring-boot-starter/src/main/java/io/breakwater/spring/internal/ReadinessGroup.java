package io.breakwater.spring.internal;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Puts the {@code breakwater} health indicator in the readiness group, next to {@code readinessState}, and so
 * never in liveness: an open breaker takes the pod out of service; it does not get it restarted.
 *
 * <p>Only where Boot has the probe groups (Boot 4's default, {@code management.endpoint.health.probes.enabled}),
 * and only when the application has not defined the readiness group itself: its own {@code management.endpoint.health.group.readiness.include} wins. Runs after
 * the application's configuration is loaded, and adds its default last. Stateless.
 */
public final class ReadinessGroup implements EnvironmentPostProcessor, Ordered {

    static final String INCLUDE = "management.endpoint.health.group.readiness.include";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        boolean probes = env.getProperty("management.endpoint.health.probes.enabled", Boolean.class, true)
                && env.getProperty("management.health.readinessstate.enabled", Boolean.class, true);
        boolean indicator = env.getProperty("breakwater.enabled", Boolean.class, true)
                && env.getProperty("management.health.breakwater.enabled", Boolean.class,
                        env.getProperty("management.health.defaults.enabled", Boolean.class, true));
        if (probes && indicator && !env.containsProperty(INCLUDE)) {
            env.getPropertySources().addLast(new MapPropertySource("breakwater-readiness",
                    Map.of(INCLUDE, "readinessState,breakwater")));
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
