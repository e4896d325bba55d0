package io.breakwater.spring.internal;

import java.util.List;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
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
 * named a missing contributor would fail its start). It runs after Boot's own post-processor of the probe groups (its
 * auto-configuration is ordered after theirs), and adds to the readiness group Boot made there (Boot 4's default).
 * Where the application names the readiness group's members itself ({@code
 * management.endpoint.health.group.readiness.include} or {@code .exclude}, in any form: a list, indexed, an
 * environment variable), that group is left as it is. The groups it returns keep Boot's additional paths
 * ({@code /readyz}, {@code /livez}): they are still an {@link AdditionalPathsMapper}, as Boot's are, for the web
 * endpoints and their security. Stateless after construction.
 */
public final class ReadinessGroup implements HealthEndpointGroupsPostProcessor {

    static final String GROUP = "management.endpoint.health.group.readiness";
    static final String READINESS = "readiness";
    static final String INDICATOR = "breakwater";

    private final boolean applicationsOwn;

    public ReadinessGroup(Environment env) {
        Binder binder = Binder.get(env);
        this.applicationsOwn = binder.bind(GROUP + ".include", Bindable.setOf(String.class)).isBound()
                || binder.bind(GROUP + ".exclude", Bindable.setOf(String.class)).isBound();
    }

    @Override
    public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
        HealthEndpointGroup readiness = groups.get(READINESS);
        if (applicationsOwn || readiness == null || readiness.isMember(INDICATOR)) {
            return groups;
        }
        return new WithIndicatorInReadiness(groups, new WithIndicator(readiness, groups.getPrimary()));
    }

    /** Boot's groups, their readiness group with the indicator; still the mapper of their additional paths. */
    private record WithIndicatorInReadiness(HealthEndpointGroups groups, HealthEndpointGroup readiness)
            implements HealthEndpointGroups, AdditionalPathsMapper {

        @Override
        public HealthEndpointGroup getPrimary() {
            return groups.getPrimary();
        }

        @Override
        public Set<String> getNames() {
            return groups.getNames();
        }

        @Override
        public HealthEndpointGroup get(String name) {
            return READINESS.equals(name) ? readiness : groups.get(name);
        }

        @Override
        public List<String> getAdditionalPaths(EndpointId endpointId, WebServerNamespace webServerNamespace) {
            return groups instanceof AdditionalPathsMapper mapper
                    ? mapper.getAdditionalPaths(endpointId, webServerNamespace) : null;
        }
    }

    /**
     * Boot's readiness group, with the {@code breakwater} indicator as a member too, shown as the health endpoint shows
     * its components ({@code management.endpoint.health.show-components}, {@code show-details}, {@code status.*}), as a
     * readiness group that names its members does (Boot's own probe group shows none). Its path is Boot's.
     */
    private record WithIndicator(HealthEndpointGroup group, HealthEndpointGroup primary) implements HealthEndpointGroup {

        @Override
        public boolean isMember(String name) {
            return INDICATOR.equals(name) || group.isMember(name);
        }

        @Override
        public boolean showComponents(SecurityContext context) {
            return primary.showComponents(context);
        }

        @Override
        public boolean showDetails(SecurityContext context) {
            return primary.showDetails(context);
        }

        @Override
        public StatusAggregator getStatusAggregator() {
            return primary.getStatusAggregator();
        }

        @Override
        public HttpCodeStatusMapper getHttpCodeStatusMapper() {
            return primary.getHttpCodeStatusMapper();
        }

        @Override
        public AdditionalHealthEndpointPath getAdditionalPath() {
            return group.getAdditionalPath();
        }
    }
}
