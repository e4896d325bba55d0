package io.breakwater.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreakerRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.application.AvailabilityHealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/** The health indicator, its place in the probe groups, and the endpoint, in a started application. */
class BreakwaterActuatorTest {

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({BreakwaterAutoConfiguration.class, BreakwaterActuatorAutoConfiguration.class,
            ApplicationAvailabilityAutoConfiguration.class, EndpointAutoConfiguration.class,
            HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
            HealthEndpointAutoConfiguration.class, AvailabilityHealthContributorAutoConfiguration.class,
            AvailabilityProbesAutoConfiguration.class})
    static class App {
    }

    /** As {@link App}, with Breakwater's actuator auto-configuration left out, as an application may exclude it. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({BreakwaterAutoConfiguration.class,
            ApplicationAvailabilityAutoConfiguration.class, EndpointAutoConfiguration.class,
            HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
            HealthEndpointAutoConfiguration.class, AvailabilityHealthContributorAutoConfiguration.class,
            AvailabilityProbesAutoConfiguration.class})
    static class AppWithoutActuatorConfiguration {
    }

    private static ConfigurableApplicationContext start(String... properties) {
        return start(App.class, properties);
    }

    private static ConfigurableApplicationContext start(Class<?> app, String... properties) {
        return new SpringApplicationBuilder(app).web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false).properties(properties).run();
    }

    @Test
    void anOpenBreakerTakesReadinessOutOfServiceAndLeavesLivenessUp() {
        try (ConfigurableApplicationContext context = start()) {
            // Boot 4 has the probe groups by default.
            HealthEndpoint health = context.getBean(HealthEndpoint.class);
            CircuitBreakerRegistry registry = context.getBean(CircuitBreakerRegistry.class);
            context.getBean(BreakwaterBreakers.class).breaker("orders");
            assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);

            registry.get("orders").orElseThrow().forceOpen("test");
            assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            assertThat(health.healthForPath("liveness").getStatus()).isEqualTo(Status.UP);
            assertThat(health.healthForPath("breakwater").getStatus()).isEqualTo(Status.OUT_OF_SERVICE);

            registry.get("orders").orElseThrow().reset("test");
            assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
        }
    }

    /**
     * Without the indicator (its auto-configuration excluded, or turned off), the application starts and its readiness
     * group is Boot's: a group naming a contributor that does not exist would fail the start.
     */
    @Test
    void withoutTheIndicatorTheApplicationStartsWithBootsReadinessGroup() {
        try (ConfigurableApplicationContext context = start(AppWithoutActuatorConfiguration.class)) {
            HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
            assertThat(groups.get("readiness").isMember("readinessState")).isTrue();
            assertThat(groups.get("readiness").isMember("breakwater")).isFalse();
            assertThat(context.getBean(HealthEndpoint.class).healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
        }
        try (ConfigurableApplicationContext context = start("management.health.breakwater.enabled=false")) {
            assertThat(context.getBean(HealthEndpointGroups.class).get("readiness").isMember("breakwater")).isFalse();
        }
    }

    @Test
    void theReadinessGroupHoldsTheIndicatorBesideReadinessStateAndLivenessDoesNot() {
        try (ConfigurableApplicationContext context = start()) {
            HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
            assertThat(groups.get("readiness").isMember("breakwater")).isTrue();
            assertThat(groups.get("readiness").isMember("readinessState")).isTrue();
            assertThat(groups.get("readiness").isMember("livenessState")).isFalse();
            assertThat(groups.get("liveness").isMember("breakwater")).isFalse();
        }
    }

    /** The readiness group shows its components and details as the health endpoint is set to, naming the open breaker. */
    @Test
    void theReadinessGroupShowsWhatTheHealthEndpointShows() {
        try (ConfigurableApplicationContext context = start("management.endpoint.health.show-details=always")) {
            context.getBean(BreakwaterBreakers.class).breaker("orders").forceOpen("test");
            HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
            assertThat(groups.get("readiness").showComponents(SecurityContext.NONE)).isTrue();
            assertThat(groups.get("readiness").showDetails(SecurityContext.NONE)).isTrue();
            assertThat(context.getBean(HealthEndpoint.class).healthForPath("readiness"))
                    .isInstanceOfSatisfying(CompositeHealthDescriptor.class, readiness -> {
                        assertThat(readiness.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
                        assertThat(readiness.getComponents()).containsOnlyKeys("breakwater", "readinessState");
                    });
        }
        try (ConfigurableApplicationContext context = start()) {
            assertThat(context.getBean(HealthEndpointGroups.class).get("readiness").showDetails(SecurityContext.NONE))
                    .as("never, by default").isFalse();
        }
    }

    /**
     * The groups the starter hands on are still the mapper of Boot's additional paths ({@code /readyz}, {@code /livez}):
     * the web endpoints and their security find those paths through it, and a plain {@code HealthEndpointGroups} in its
     * place would lose them (or fail, where its type was predicted as Boot's).
     */
    @Test
    void theAdditionalProbePathsStayMapped() {
        try (ConfigurableApplicationContext context = start("management.endpoint.health.probes.add-additional-paths=true")) {
            HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
            assertThat(groups.get("readiness").isMember("breakwater")).isTrue();
            assertThat(groups).isInstanceOf(AdditionalPathsMapper.class);
            assertThat(((AdditionalPathsMapper) groups).getAdditionalPaths(EndpointId.of("health"), WebServerNamespace.SERVER))
                    .containsExactlyInAnyOrder("/livez", "/readyz");
            assertThat(groups.get(AdditionalHealthEndpointPath.from("server:/readyz"))).isSameAs(groups.get("readiness"));
        }
    }

    /** The application's own members of the readiness group, in any form they can be given, are left as they are. */
    @Test
    void theApplicationsOwnReadinessMembersWinInEveryForm() {
        for (String[] own : new String[][] {{"management.endpoint.health.group.readiness.include[0]=readinessState"},
                {"management.endpoint.health.group.readiness.exclude=breakwater"}}) {
            try (ConfigurableApplicationContext context = start(own)) {
                assertThat(context.getBean(HealthEndpointGroups.class).get("readiness").isMember("breakwater"))
                        .as(own[0]).isFalse();
            }
        }
    }

    @Test
    void theApplicationsOwnReadinessGroupWins() {
        try (ConfigurableApplicationContext context = start("management.endpoint.health.probes.enabled=true",
                "management.endpoint.health.group.readiness.include=readinessState")) {
            HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
            assertThat(groups.get("readiness").isMember("breakwater")).isFalse();
        }
    }

    @Test
    void withoutProbesNoGroupIsAddedAndTheIndicatorStillReports() {
        try (ConfigurableApplicationContext context = start("management.endpoint.health.probes.enabled=false")) {
            HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
            assertThat(groups.get("readiness")).isNull();
            context.getBean(BreakwaterBreakers.class).breaker("orders").forceOpen("test");
            assertThat(context.getBean(BreakwaterHealthIndicator.class).health().getDetails())
                    .containsEntry("open", Map.of("orders", "FORCED_OPEN"));
        }
    }

    @Test
    void theEndpointIsOnlyThereWhereItIsExposed() {
        try (ConfigurableApplicationContext context = start()) {
            assertThat(context.getBeansOfType(BreakwaterEndpoint.class)).isEmpty();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEndpointListsShowsForcesOpenAndResetsBreakers() {
        try (ConfigurableApplicationContext context = start("management.endpoints.web.exposure.include=breakwater")) {
            BreakwaterEndpoint endpoint = context.getBean(BreakwaterEndpoint.class);
            context.getBean(BreakwaterBreakers.class).breaker("orders");
            assertThat((Map<String, Object>) endpoint.breakers().get("breakers")).containsKey("orders");

            assertThat(endpoint.change("orders", "force-open", "maintenance")).containsEntry("state", "FORCED_OPEN");
            assertThat(endpoint.breaker("orders")).containsEntry("state", "FORCED_OPEN");
            assertThat(endpoint.change("orders", "reset", null)).containsEntry("state", "CLOSED");
            assertThat(endpoint.change("orders", "disable", null)).containsEntry("state", "DISABLED");

            assertThat(endpoint.breaker("missing")).isNull();
            assertThat(endpoint.change("missing", "reset", null)).isNull();
            assertThatThrownBy(() -> endpoint.change("orders", "open", null))
                    .isInstanceOf(InvalidEndpointRequestException.class)
                    .hasMessage("action must be force-open, reset or disable, but was 'open'");
        }
    }
}
