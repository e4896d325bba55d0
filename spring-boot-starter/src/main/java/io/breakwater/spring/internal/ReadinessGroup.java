package io.breakwater.spring.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.core.env.Environment;

/**
 * Puts the {@code breakwater} health indicator in the readiness group, next to {@code readinessState}, and so
 * never in liveness: an open breaker takes the pod out of service; it does not get it restarted.
 *
 * <p>A bean of the actuator auto-configuration, so it exists only where the indicator does: an application that
 * excludes that auto-configuration or turns the indicator off starts as it would without the starter (a group that
 * named a missing contributor would fail its start). It changes only a readiness group that Boot made (the probe
 * groups, Boot 4's default); where the application defines {@code management.endpoint.health.group.readiness.include}
 * itself, that group is left as it is. Stateless after construction.
 */
public final class ReadinessGroup implements HealthEndpointGroupsPostProcessor {

    static final String INCLUDE = "management.endpoint.health.group.readiness.include";
    static final String READINESS = "readiness";
    static final String INDICATOR = "breakwater";

    private final boolean applicationsOwn;

    public ReadinessGroup(Environment env) {
        this.applicationsOwn = env.containsProperty(INCLUDE);
    }

    @Override
    public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
        HealthEndpointGroup readiness = groups.get(READINESS);
        if (applicationsOwn || readiness == null || readiness.isMember(INDICATOR)) {
            return groups;
        }
        Map<String, HealthEndpointGroup> all = new LinkedHashMap<>();
        for (String name : groups.getNames()) {
            all.put(name, groups.get(name));
        }
        all.put(READINESS, new WithIndicator(readiness));
        return HealthEndpointGroups.of(groups.getPrimary(), all);
    }

    /** Boot's readiness group, with the {@code breakwater} indicator as a member too. */
    private record WithIndicator(HealthEndpointGroup group) implements HealthEndpointGroup {

        @Override
        public boolean isMember(String name) {
            return INDICATOR.equals(name) || group.isMember(name);
        }

        @Override
        public boolean showComponents(SecurityContext context) {
            return group.showComponents(context);
        }

        @Override
        public boolean showDetails(SecurityContext context) {
            return group.showDetails(context);
        }

        @Override
        public StatusAggregator getStatusAggregator() {
            return group.getStatusAggregator();
        }

        @Override
        public HttpCodeStatusMapper getHttpCodeStatusMapper() {
            return group.getHttpCodeStatusMapper();
        }

        @Override
        public AdditionalHealthEndpointPath getAdditionalPath() {
            return group.getAdditionalPath();
        }
    }
}
