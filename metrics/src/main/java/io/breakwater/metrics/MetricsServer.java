package io.breakwater.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics} (Prometheus text format) and {@code /health} (JSON; 200 when healthy, 503 when not)
 * on the JDK's HTTP server, for applications that have no endpoint of their own.
 *
 * <pre>{@code
 * MetricsServer server = MetricsServer.start(9404, prometheus, () -> bus.health().toJson(), () -> bus.health().healthy());
 * }</pre>
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Serves on {@code port} (0: any free port) of all interfaces.
     *
     * @param health  the JSON body of {@code /health}
     * @param healthy whether {@code /health} answers 200 (else 503)
     */
    public static MetricsServer start(int port, PrometheusMeterRegistry registry, Supplier<String> health,
                                      BooleanSupplier healthy) throws IOException {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(healthy, "healthy");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in [0, 65535], but was " + port);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 16);
        server.createContext("/metrics", exchange -> {
            String body;
            int status = 200;
            try {
                body = registry.scrape();
            } catch (RuntimeException e) {   // a meter whose function threw, say: an answer all the same
                LOG.warn("The metrics scrape failed; answering 500", e);
                status = 500;
                body = "# the scrape failed: " + e.getClass().getSimpleName() + "\n";
            }
            respond(exchange, status, "text/plain; version=0.0.4; charset=utf-8", body);
        });
        server.createContext("/health", exchange -> {
            int status;
            String body;
            try {
                status = healthy.getAsBoolean() ? 200 : 503;
                body = health.get();
            } catch (RuntimeException e) {
                LOG.warn("The health report failed; answering 500", e);
                status = 500;
                body = "{\"healthy\":false,\"error\":\"the health report failed: " + e.getClass().getSimpleName() + "\"}";
            }
            respond(exchange, status, "application/json", body);
        });
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "breakwater-metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        LOG.info("Serving /metrics and /health on port {}", server.getAddress().getPort());
        return new MetricsServer(server, executor);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if ("HEAD".equals(exchange.getRequestMethod())) {   // headers only: a body would be an error of the server's
                exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
