package io.breakwater.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerRegistry;
import io.breakwater.breaker.ManualClock;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import io.breakwater.testsupport.LogLines;
import org.junit.jupiter.api.Test;

class BreakerMetricsTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreakerRegistry registry =
            new CircuitBreakerRegistry(CircuitBreakerConfig.builder("template").failureThreshold(2).clock(clock).build());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private double gauge(String name, String breaker, String... tags) {
        return meters.get(name).tag("name", breaker).tags(tags).gauge().value();
    }

    @Test
    void exportsStateCallsTransitionsAndRatesTaggedByName() {
        CircuitBreaker orders = registry.getOrCreate("orders");
        BreakerMetrics.of(registry).bindTo(meters);
        assertThat(gauge("breaker.state", "orders", "state", "CLOSED")).isEqualTo(1);
        assertThat(gauge("breaker.state", "orders", "state", "OPEN")).isZero();
        assertThat(gauge("circuit_breaker_state", "orders")).isZero();

        orders.recordSuccess(Duration.ofMillis(40).toNanos());
        orders.recordFailure("down");
        orders.recordFailure("down");
        orders.canExecute();
        assertThat(gauge("breaker.state", "orders", "state", "OPEN")).isEqualTo(1);
        assertThat(gauge("circuit_breaker_state", "orders")).isEqualTo(1);
        FunctionTimer successful = meters.get("breaker.calls").tag("name", "orders").tag("kind", "successful").functionTimer();
        assertThat(successful.count()).isEqualTo(1);
        assertThat(successful.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40);
        assertThat(meters.get("breaker.calls").tag("name", "orders").tag("kind", "failed").functionTimer().count()).isEqualTo(2);
        assertThat(meters.get("breaker.calls").tag("name", "orders").tag("kind", "rejected").functionTimer().count()).isEqualTo(1);
        assertThat(meters.get("breaker.transitions").tag("name", "orders").tag("from", "CLOSED").tag("to", "OPEN").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("circuit_breaker_trips").tag("name", "orders").counter().count()).isEqualTo(1);
        assertThat(meters.get("circuit_breaker_failures").tag("name", "orders").functionCounter().count()).isEqualTo(2);

        orders.forceOpen();
        assertThat(gauge("circuit_breaker_state", "orders")).isEqualTo(3);
        assertThat(meters.get("circuit_breaker_trips").tag("name", "orders").counter().count()).as("only CLOSED to OPEN trips")
                .isEqualTo(1);
    }

    @Test
    void theStateGaugesShowAnOpenBreakerNothingCallsLeavingOpenOnceItsResetTimeoutPassed() {
        CircuitBreaker idle = registry.getOrCreate("idle");
        BreakerMetrics.of(registry).bindTo(meters);
        idle.recordFailure("down");
        idle.recordFailure("down");
        assertThat(gauge("circuit_breaker_state", "idle")).isEqualTo(1);

        clock.advance(Duration.ofHours(1));   // no call comes: traffic went elsewhere while it was open

        assertThat(gauge("circuit_breaker_state", "idle")).as("HALF_OPEN, not OPEN for ever").isEqualTo(2);
        assertThat(gauge("breaker.state", "idle", "state", "OPEN")).isZero();
        assertThat(gauge("breaker.state", "idle", "state", "HALF_OPEN")).isEqualTo(1);
    }

    /**
     * A breaker removed from its registry and made again under its name: Micrometer would hand the new one the old
     * one's meters, which read the old breaker. The newest takes the name.
     */
    @Test
    void aBreakerMadeAgainUnderItsNameTakesTheMetersOver() {
        BreakerMetrics.of(registry).bindTo(meters);
        CircuitBreaker old = registry.getOrCreate("transport");
        old.forceOpen();
        registry.remove("transport");
        CircuitBreaker again = registry.getOrCreate("transport");

        assertThat(gauge("circuit_breaker_state", "transport")).as("the new one's state").isZero();
        again.forceOpen();
        assertThat(gauge("circuit_breaker_state", "transport")).isEqualTo(3);
        assertThat(meters.get("breaker.transitions").tag("name", "transport").tag("to", "FORCED_OPEN").counter().count())
                .as("the new one's transitions alone").isEqualTo(1);
        assertThat(meters.find("circuit_breaker_state").tag("name", "transport").gauges()).hasSize(1);
    }

    @Test
    void aBreakerBoundByTwoBindersCountsEachTransitionOnce() {
        CircuitBreaker shared = registry.getOrCreate("shared");
        BreakerMetrics.of(registry).bindTo(meters);
        BreakerMetrics.of(List.of(), List.of(shared)).bindTo(meters);

        shared.forceOpen();

        assertThat(meters.get("breaker.transitions").tag("name", "shared").tag("to", "FORCED_OPEN").counter().count())
                .isEqualTo(1);
    }

    @Test
    void breakersCreatedLaterAreBoundToo() {
        BreakerMetrics.of(registry).bindTo(meters);
        CircuitBreaker later = registry.getOrCreate("later");
        later.forceOpen();
        assertThat(gauge("circuit_breaker_state", "later")).isEqualTo(3);
    }

    @Test
    void theFailureRateGaugeFollowsTheWindow() {
        CircuitBreakerRegistry windowed = new CircuitBreakerRegistry(CircuitBreakerConfig.builder("w").failureThreshold(100)
                .windowSize(4).failureRateThreshold(1.0).clock(clock).build());
        CircuitBreaker b = windowed.getOrCreate("w");
        BreakerMetrics.of(windowed).bindTo(meters);
        b.recordFailure("x");
        b.recordSuccess();
        assertThat(gauge("breaker.failure.rate", "w")).isEqualTo(0.5);
    }

    @Test
    void theGuidesNamesAppearInThePrometheusExposition() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CircuitBreaker b = registry.getOrCreate("payments");
        BreakerMetrics.of(registry).bindTo(prometheus);
        b.recordFailure("x");
        b.recordFailure("x");
        String scrape = prometheus.scrape();
        assertThat(scrape).contains("circuit_breaker_state{name=\"payments\"} 1")
                .contains("circuit_breaker_failures_total{name=\"payments\"} 2")
                .contains("circuit_breaker_trips_total{name=\"payments\"} 1")
                .contains("breaker_state{name=\"payments\",state=\"OPEN\"} 1")
                .contains("breaker_calls_seconds_count{kind=\"failed\",name=\"payments\"} 2")
                .contains("breaker_transitions_total{from=\"CLOSED\",name=\"payments\",to=\"OPEN\"} 1");
    }

    @Test
    void theServerAnswersMetricsAndHealth() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BreakerMetrics.of(registry).bindTo(prometheus);
        registry.getOrCreate("served");
        AtomicBoolean healthy = new AtomicBoolean(true);
        try (MetricsServer server = MetricsServer.start(0, prometheus, () -> "{\"healthy\":" + healthy.get() + "}", healthy::get)) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> metrics = get(http, server, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("circuit_breaker_state{name=\"served\"} 0");
            assertThat(get(http, server, "/health").statusCode()).isEqualTo(200);
            healthy.set(false);
            HttpResponse<String> unhealthy = get(http, server, "/health");
            assertThat(unhealthy.statusCode()).isEqualTo(503);
            assertThat(unhealthy.body()).isEqualTo("{\"healthy\":false}");
        }
    }

    @Test
    void aHealthReportThatThrowsIsAnswered500NotLeftHanging() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (MetricsServer server = MetricsServer.start(0, prometheus, () -> {
            throw new IllegalStateException("the bus is closed");
        }, () -> true)) {
            HttpResponse<String> health = get(HttpClient.newHttpClient(), server, "/health");
            assertThat(health.statusCode()).isEqualTo(500);
            assertThat(health.body()).contains("\"healthy\":false").contains("IllegalStateException");
        }
    }

    /** A load balancer's probe: HEAD answers the status and headers, and the server logs nothing for it. */
    @Test
    void aHeadRequestIsAnsweredWithTheStatusAndNoBody() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicBoolean healthy = new AtomicBoolean(false);
        java.util.List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger jdk = java.util.logging.Logger.getLogger("com.sun.net.httpserver");
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jdk.addHandler(handler);
        try (MetricsServer server = MetricsServer.start(0, prometheus, () -> "{\"healthy\":false}", healthy::get)) {
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {   // the same connection, reused: the HEAD left it in order
                HttpResponse<String> head = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/health")).method("HEAD",
                        HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(head.statusCode()).isEqualTo(503);
                assertThat(head.body()).isEmpty();
                assertThat(head.headers().firstValue("Content-Type")).hasValue("application/json");
            }
            assertThat(get(http, server, "/health").body()).isEqualTo("{\"healthy\":false}");
        } finally {
            jdk.removeHandler(handler);
        }
        assertThat(warnings).as("the JDK server's warnings").isEmpty();
    }

    private static HttpResponse<String> get(HttpClient http, MetricsServer server, String path)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void breakersPastTheLimitGetNoMetersOfTheirOwnButAreCountedByState() {
        registry.getOrCreate("a");
        registry.getOrCreate("b");
        LogLines log = LogLines.fromNow();
        BreakerMetrics.of(registry).withMaxBreakers(2).bindTo(meters);
        CircuitBreaker c = registry.getOrCreate("c");
        registry.getOrCreate("d");

        assertThat(meters.find("circuit_breaker_state").gauges()).extracting(g -> g.getId().getTag("name"))
                .containsExactlyInAnyOrder("a", "b");
        assertThat(meters.find("breaker.state").tag("name", "c").gauges()).isEmpty();
        assertThat(log.containing("Breaker 'c' and any later get no meters of their own: 2 breakers have them"))
                .as("one warning, naming the first breaker left out and the limit").hasSize(1);
        assertThat(log.containing("get no meters of their own")).hasSize(1);
        assertThat(meters.get("breakwater.breakers").tag("state", "CLOSED").gauge().value()).isEqualTo(4);

        c.forceOpen();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(meters.get("breakwater.breakers").tag("state", "FORCED_OPEN").gauge().value()).isEqualTo(1);
            assertThat(meters.get("breakwater.breakers").tag("state", "CLOSED").gauge().value()).isEqualTo(3);
        });
    }

    @Test
    void theDefaultLimitIsAThousandAndZeroLeavesOnlyTheCounts() {
        assertThat(BreakerMetrics.of(registry).maxBreakers()).isEqualTo(BreakerMetrics.DEFAULT_MAX_BREAKERS).isEqualTo(1_000);
        for (int i = 0; i < 1_001; i++) {
            registry.getOrCreate("s-" + i);
        }
        BreakerMetrics.of(registry).bindTo(meters);
        assertThat(meters.find("circuit_breaker_state").gauges()).hasSize(1_000);
        assertThat(meters.get("breakwater.breakers").tag("state", "CLOSED").gauge().value()).isEqualTo(1_001);

        SimpleMeterRegistry countsOnly = new SimpleMeterRegistry();
        BreakerMetrics.of(registry).withMaxBreakers(0).bindTo(countsOnly);
        assertThat(countsOnly.find("circuit_breaker_state").gauges()).isEmpty();
        assertThat(countsOnly.get("breakwater.breakers").tag("state", "CLOSED").gauge().value()).isEqualTo(1_001);
    }

    @Test
    void aNegativeLimitIsRefusedByName() {
        assertThatThrownBy(() -> BreakerMetrics.of(registry).withMaxBreakers(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxBreakers must be >= 0, but was -1");
    }

    /** Counts the calls that go through every meter the registry holds. */
    static final class CountingMeters extends SimpleMeterRegistry {
        final java.util.concurrent.atomic.AtomicInteger scans = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public List<io.micrometer.core.instrument.Meter> getMeters() {
            scans.incrementAndGet();
            return super.getMeters();
        }

        @Override
        public void forEachMeter(java.util.function.Consumer<? super io.micrometer.core.instrument.Meter> consumer) {
            scans.incrementAndGet();
            super.forEachMeter(consumer);
        }

        @Override
        public io.micrometer.core.instrument.search.Search find(String name) {
            scans.incrementAndGet();
            return super.find(name);
        }
    }

    @Test
    void bindingABreakerDoesNotGoThroughEveryMeterOfTheRegistry() {
        // A scan per breaker made binding 20,000 breakers take 8 minutes (4 s without it), under the registry's lock.
        for (int i = 0; i < 500; i++) {
            registry.getOrCreate("s-" + i);
        }
        CountingMeters counting = new CountingMeters();
        BreakerMetrics.of(registry).bindTo(counting);
        registry.getOrCreate("later");
        int scans = counting.scans.get();
        assertThat(counting.find("circuit_breaker_state").gauges()).hasSize(501);
        assertThat(scans).as("scans of the registry's meters while binding 501 breakers").isZero();
    }
}
