package io.breakwater.cli.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.eventbus.EventBus;
import io.breakwater.metrics.BreakerMetrics;
import io.breakwater.metrics.MetricsServer;
import io.breakwater.metrics.SpillMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.util.List;

/**
 * The demo's {@code /metrics} and {@code /health} on {@code --metrics-port}: bound before anything else starts, so a
 * port taken fails the demo before it starts a broker or a producer; the bus's meters bound once it runs
 * ({@link #serve}); {@code /health} answers 503 until then. Closed when the bus is. {@link #serve} and {@link #close}
 * on the demo's thread.
 */
public final class DemoMetrics implements AutoCloseable {

    /** {@code --metrics-port} was taken by the time the demo bound it (after the command's own check). */
    public static final class PortTaken extends Exception {
        PortTaken(BindException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // The bus /health reports on, once it runs.
    private volatile EventBus served;
    private MetricsServer server;

    private DemoMetrics() {
    }

    /** Serves on {@code port}; none (null): nothing is served, and the rest does nothing. */
    static DemoMetrics start(Integer port) throws PortTaken, IOException {
        DemoMetrics metrics = new DemoMetrics();
        if (port != null) {
            try {
                metrics.server = MetricsServer.start(port, metrics.prometheus, metrics::healthJson, metrics::healthy);
            } catch (BindException e) {
                throw new PortTaken(e);
            }
        }
        return metrics;
    }

    /** The port served, or -1 for none. */
    int port() {
        return server == null ? -1 : server.port();
    }

    /** Binds the bus's and the breakers' meters, and reports the bus's health from now on. */
    void serve(EventBus eventBus, List<CircuitBreaker> breakers) {
        if (server == null) {
            return;
        }
        BreakerMetrics.of(List.of(eventBus.registry()), breakers).bindTo(prometheus);
        SpillMetrics.of(eventBus).bindTo(prometheus);
        served = eventBus;
    }

    private String healthJson() {
        EventBus bus = served;
        return bus == null ? "{\"healthy\":false,\"starting\":true}" : bus.health().toJson();
    }

    private boolean healthy() {
        EventBus bus = served;
        return bus != null && bus.health().healthy();
    }

    /** Stops serving; idempotent. */
    @Override
    public void close() {
        MetricsServer running = server;
        server = null;
        if (running != null) {
            running.close();
        }
    }
}
