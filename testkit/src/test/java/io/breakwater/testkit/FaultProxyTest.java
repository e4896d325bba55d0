package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {

    private ServerSocket echo;
    private FaultProxy proxy;

    @BeforeEach
    void startEchoServerAndProxy() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread t = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // client gone
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        proxy = new FaultProxy("test", new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()));
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        return connect(proxy);
    }

    private static Socket connect(FaultProxy proxy) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout(5_000);
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return read(s, text.length());
    }

    /** Sends "x" while the proxy holds traffic, and sees nothing come back for 200 ms (the proxy reads it meanwhile, on loopback). */
    private static void sendHeld(Socket s) throws IOException {
        s.getOutputStream().write('x');
        s.getOutputStream().flush();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> s.getInputStream().available() == 0);
    }

    private static String read(Socket s, int length) throws IOException {
        byte[] buffer = new byte[length];
        int read = 0;
        while (read < length) {
            int n = s.getInputStream().read(buffer, read, length - read);
            if (n < 0) {
                throw new IOException("closed after " + read + " bytes");
            }
            read += n;
        }
        return new String(buffer, StandardCharsets.UTF_8);
    }

    @Test
    void passForwardsBothWays() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "hello")).isEqualTo("hello");
        }
        assertThat(proxy.mode()).isEqualTo(ProxyMode.PASS);
    }

    @Test
    void blackHoleAnswersNothingAndReleasesHeldBytesOnPass() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "warm")).isEqualTo("warm");
            proxy.blackHole();
            s.setSoTimeout(500);
            s.getOutputStream().write("held".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            proxy.pass();
            s.setSoTimeout(5_000);
            assertThat(read(s, 4)).isEqualTo("held");
        }
    }

    @Test
    void blackHoleAcceptsNewConnectionsButNeverAnswers() throws IOException {
        proxy.blackHole();
        try (Socket s = connect()) {
            s.setSoTimeout(500);
            s.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            proxy.pass();
            s.setSoTimeout(5_000);
            assertThat(read(s, 4)).isEqualTo("ping");
        }
    }

    @Test
    void cutClosesConnectionsAndResetsNewOnes() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "a")).isEqualTo("a");
            proxy.cut();
            assertThatThrownBy(() -> roundTrip(s, "b")).isInstanceOf(IOException.class);
        }
        try (Socket s = connect()) {
            assertThatThrownBy(() -> roundTrip(s, "c")).isInstanceOf(IOException.class);
        }
        proxy.pass();
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "d")).isEqualTo("d");
        }
    }

    @Test
    void aLatencyOutOfRangeIsRefusedByName() {
        assertThatThrownBy(() -> proxy.latency(null)).isInstanceOf(NullPointerException.class).hasMessage("delay");
        assertThatThrownBy(() -> proxy.latency(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delay must be in [0, 1h], but was PT-0.001S");
        assertThatThrownBy(() -> proxy.latency(Duration.ofDays(365L * 300))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("delay must be in [0, 1h], but was PT");
        assertThat(proxy.mode()).isEqualTo(ProxyMode.PASS);
    }

    @Test
    void latencyDelaysEachDirection() throws IOException {
        proxy.latency(Duration.ofMillis(150));
        try (Socket s = connect()) {
            long start = System.nanoTime();
            assertThat(roundTrip(s, "slow")).isEqualTo("slow");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }

    @Test
    void latencyDelaysAStreamOnceNotOnceForEveryChunk() throws Exception {
        // 4 MiB, sent as fast as the sockets take it: at most 64 KiB is read at once, so a proxy that waited out the
        // latency chunk after chunk would take at least 64 x 150 ms each way (about 10 s); latency takes about 0.3 s.
        proxy.latency(Duration.ofMillis(150));
        byte[] sent = new byte[4 << 20];
        new java.util.Random(7).nextBytes(sent);
        try (Socket s = connect()) {
            long start = System.nanoTime();
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(sent);
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            byte[] back = s.getInputStream().readNBytes(sent.length);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            writer.join();
            assertThat(back).isEqualTo(sent);
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void passForwardsWhatTheLatencyHoldsAtOnce() throws Exception {
        proxy.latency(Duration.ofSeconds(30));
        try (Socket s = connect()) {
            sendHeld(s);
            long start = System.nanoTime();
            proxy.pass();
            assertThat(read(s, 1)).isEqualTo("x");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void aBlackHoleWhileLatencyHoldsAChunkDoesNotShortenItsDelay() throws Exception {
        proxy.latency(Duration.ofSeconds(1));
        try (Socket s = connect()) {
            long start = System.nanoTime();
            sendHeld(s);
            proxy.blackHole();
            proxy.latency(Duration.ofSeconds(1));
            assertThat(read(s, 1)).isEqualTo("x");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("1 s each way, from when the proxy read it")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        }
    }

    @Test
    void aCutForwardsNothingTheLatencyHolds() throws Exception {
        proxy.latency(Duration.ofSeconds(1));
        try (Socket s = connect()) {
            sendHeld(s);
            proxy.cut();
            int got;
            try {
                got = s.getInputStream().read();
            } catch (IOException reset) {
                got = -1;
            }
            assertThat(got).as("what the cut connection gave: the end, not the byte held").isEqualTo(-1);
        }
    }

    @Test
    void closingTheProxyEndsEveryThreadOfIt() throws Exception {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "a")).isEqualTo("a");
            proxy.latency(Duration.ofSeconds(30));
            s.getOutputStream().write('b');
            s.getOutputStream().flush();
            proxy.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("fault-proxy-test-") && t.isAlive()));
    }

    @Test
    void aDeadTargetResetsTheClient() throws IOException {
        // The dead target is a port bound but never listening: a connection to it is refused, and no other
        // socket can take the port while it is held. A just-closed ServerSocket is no dead target: while its
        // accept thread has not yet woken up, the port still accepts, and that accept() returns the connection.
        try (Socket held = new Socket()) {
            held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress dead = new InetSocketAddress(InetAddress.getLoopbackAddress(), held.getLocalPort());
            try (FaultProxy toDead = new FaultProxy("dead", dead)) {
                // The reset may come before the client's socket is set up, or at its first read: either way, the proxy
                // took the connection (not refused) and then dropped it.
                assertThatThrownBy(() -> {
                    try (Socket s = connect(toDead)) {
                        roundTrip(s, "x");
                    }
                }).isInstanceOf(IOException.class).isNotInstanceOf(java.net.ConnectException.class);
            }
        }
    }

    @Test
    void closeIsIdempotent() {
        proxy.close();
        proxy.close();
    }
}
