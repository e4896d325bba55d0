package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.breakwater.testsupport.ReadmeSnippets;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker adapter of README.md, compiled as it stands there, against a local JDK {@link HttpServer} that fails
 * (5xx, then connection refused) and recovers. Its breaker has the adapter's own config on a {@link ManualClock}.
 */
class ReadmeBrokerAdapterTest {

    private static Class<?> adapterClass;
    private static Class<?> rejectedClass;

    private final ManualClock clock = new ManualClock();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer server;

    @BeforeAll
    static void compileTheSnippet() throws Exception {
        adapterClass = ReadmeSnippets.compileClass("broker-adapter");
        rejectedClass = Class.forName("BrokerAdapter$Rejected", true, adapterClass.getClassLoader());
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = "{\"balance\":100}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    private CircuitBreaker breakerFor(String brokerId) throws Exception {
        return (CircuitBreaker) adapterClass.getMethod("breakerFor", String.class).invoke(null, brokerId);
    }

    private Object adapter(CircuitBreaker breaker) throws Exception {
        URI api = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v2/");
        return adapterClass.getConstructor(URI.class, CircuitBreaker.class).newInstance(api, breaker);
    }

    /** The failure of one fetch (its cause, unwrapped), or null when it succeeded. */
    private static Throwable fetch(Object adapter) throws Exception {
        Method fetch = adapter.getClass().getMethod("fetchAccountBalance", String.class);
        CompletableFuture<?> future;
        try {
            future = (CompletableFuture<?>) fetch.invoke(adapter, "acc-1");
        } catch (InvocationTargetException e) {
            throw new AssertionError("fetchAccountBalance threw instead of failing its future", e.getCause());
        }
        try {
            assertThat(future.get(10, TimeUnit.SECONDS)).isEqualTo("{\"balance\":100}");
            return null;
        } catch (ExecutionException e) {
            return Throwables.unwrap(e);
        }
    }

    @Test
    void theAdaptersBreakerIsTheBrokerApiPresetAndIgnoresRejectedRequests() throws Exception {
        String id = "readme-" + System.nanoTime();
        CircuitBreaker breaker = breakerFor(id);
        try {
            assertThat(breaker.name()).isEqualTo("broker-" + id);
            assertThat(breaker.config().differences(BreakerPresets.brokerApi("broker-" + id))).isEmpty();
            Throwable rejected = (Throwable) rejectedClass.getConstructor(String.class).newInstance("HTTP 404");
            assertThat(breaker.config().isRecordedFailure(rejected)).isFalse();
            assertThat(breaker.config().isRecordedFailure(new UncheckedIOException(new IOException("HTTP 503")))).isTrue();
            assertThat(breakerFor(id)).as("one per broker").isSameAs(breaker);
        } finally {
            CircuitBreakerRegistry.global().remove("broker-" + id);
        }
    }

    @Test
    void anApiThatFailsOpensTheBreakerAndOneThatRecoversClosesIt() throws Exception {
        String id = "failing-" + System.nanoTime();
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.from(breakerFor(id).config()).clock(clock).build());
        CircuitBreakerRegistry.global().remove("broker-" + id);
        startServer();
        Object adapter = adapter(breaker);

        assertThat(fetch(adapter)).isNull();
        status.set(404);
        for (int i = 0; i < 10; i++) {
            assertThat(fetch(adapter)).isInstanceOf(rejectedClass).hasMessageContaining("HTTP 404 from http://127.0.0.1:");
        }
        assertThat(breaker.state()).as("the caller's mistakes").isEqualTo(CircuitBreakerState.CLOSED);

        status.set(503);
        for (int i = 0; i < 5; i++) {
            assertThat(fetch(adapter)).isInstanceOf(UncheckedIOException.class).hasMessageContaining("HTTP 503");
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);
        int served = requests.get();
        assertThat(fetch(adapter)).isInstanceOf(CircuitBreakerOpenException.class);
        assertThat(requests).as("refused without asking the API").hasValue(served);

        server.stop(0);
        clock.advance(Duration.ofSeconds(60));
        assertThat(fetch(adapter)).as("the trial finds nobody listening").isInstanceOf(ConnectException.class);
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.OPEN);

        status.set(200);
        startServer(); // on a fresh port: the old one may be taken by now (or still held by the system)
        adapter = adapter(breaker); // the same breaker, so its state carries over
        clock.advance(Duration.ofSeconds(60));
        for (int i = 0; i < 3; i++) {
            assertThat(fetch(adapter)).isNull();
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreakerState.CLOSED);
    }
}
