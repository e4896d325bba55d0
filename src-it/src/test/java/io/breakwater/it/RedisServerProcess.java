package io.breakwater.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;

/**
 * A {@code redis-server} of a test's own (not the machine's on 6379): started from {@link #BINARY} on a free port in
 * a temporary directory, with a password for the default user, an ACL user, and, when given a certificate and the
 * build has TLS, a TLS port too. {@link #close()} stops it (SIGTERM, then SIGKILL after 5 s) and deletes the
 * directory; a shutdown hook does the same should the JVM end first, so no server outlives the tests.
 */
final class RedisServerProcess implements AutoCloseable {

    /** {@code redis-server} on the {@code PATH}, else {@code /usr/bin/redis-server}. */
    static final String BINARY = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
            .filter(d -> !d.isBlank()).map(d -> Path.of(d, "redis-server")).filter(Files::isExecutable).findFirst()
            .map(Path::toString).orElse("/usr/bin/redis-server");

    private final Process process;
    private final Path directory;
    private final Thread hook;
    final int port;
    /** The TLS port, or -1 without TLS (see {@link #tlsUnavailable}). */
    final int tlsPort;
    /** Why there is no TLS port when one was asked for: the server's own words; null otherwise. */
    final String tlsUnavailable;

    private RedisServerProcess(Process process, Path directory, Thread hook, int port, int tlsPort, String tlsUnavailable) {
        this.process = process;
        this.directory = directory;
        this.hook = hook;
        this.port = port;
        this.tlsPort = tlsPort;
        this.tlsUnavailable = tlsUnavailable;
    }

    /**
     * Starts a server whose default user has {@code password} and whose user {@code user} has {@code userPassword}
     * (keys {@code circuit_breaker:*}, every command), with a TLS port serving {@code tls} when it is not null.
     * If the build has no TLS, the server starts without it and {@link #tlsUnavailable} says why.
     */
    static RedisServerProcess start(String password, String user, String userPassword, TestCertificates tlsAuthority,
                                    TestCertificates.ServerPem tls) throws IOException, InterruptedException {
        Path directory = Files.createTempDirectory("breakwater-redis-");
        try {
            if (tls != null) {
                Attempt withTls = attempt(directory, tlsAuthority, tls);
                if (withTls.process != null) {
                    return configured(withTls, directory, password, user, userPassword, null);
                }
                if (!withTls.log.toLowerCase(Locale.ROOT).contains("tls")) {
                    throw new IllegalStateException(BINARY + " did not start:\n" + withTls.log);
                }
                Attempt plain = attempt(directory, null, null);
                if (plain.process == null) {
                    throw new IllegalStateException(BINARY + " did not start:\n" + plain.log);
                }
                return configured(plain, directory, password, user, userPassword, firstTlsLine(withTls.log));
            }
            Attempt plain = attempt(directory, null, null);
            if (plain.process == null) {
                throw new IllegalStateException(BINARY + " did not start:\n" + plain.log);
            }
            return configured(plain, directory, password, user, userPassword, null);
        } catch (IOException | InterruptedException | RuntimeException e) {
            delete(directory);
            throw e;
        }
    }

    /** Skips the calling test when the binary is missing; in CI ({@code CI=true}) a missing binary fails it. */
    static void assumeAvailable() {
        if (Files.isExecutable(Path.of(BINARY))) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(BINARY + " must be installed in CI (.ci/run installs the Debian package redis-server)");
        }
        org.junit.jupiter.api.Assumptions.abort(BINARY + " is not installed: apt-get install -y redis-server");
    }

    private record Attempt(Process process, Thread hook, int port, int tlsPort, String log) {
    }

    // Starts the server and waits until it answers; a server that exits (or never answers) gives its log instead.
    private static Attempt attempt(Path directory, TestCertificates authority, TestCertificates.ServerPem tls)
            throws IOException, InterruptedException {
        int port = freePort();
        int tlsPort = tls == null ? -1 : freePort();
        List<String> config = new ArrayList<>(List.of("port " + port, "bind 127.0.0.1 -::1", "dir " + directory,
                "save \"\"", "appendonly no", "daemonize no", "logfile \"\""));
        if (tls != null) {
            Files.writeString(directory.resolve("server.crt"), tls.certificate());
            Files.writeString(directory.resolve("server.key"), tls.privateKey());
            Files.writeString(directory.resolve("ca.crt"), authority.authorityPem());
            config.addAll(List.of("tls-port " + tlsPort, "tls-cert-file " + directory.resolve("server.crt"),
                    "tls-key-file " + directory.resolve("server.key"), "tls-ca-cert-file " + directory.resolve("ca.crt"),
                    "tls-auth-clients no"));
        }
        Path conf = directory.resolve("redis.conf");
        Path log = directory.resolve("redis.log");
        Files.write(conf, config, StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(BINARY, conf.toString()).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Thread hook = new Thread(process::destroyForcibly, "stop-test-redis-" + port);
        Runtime.getRuntime().addShutdownHook(hook);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (process.waitFor(50, TimeUnit.MILLISECONDS)) {
                Runtime.getRuntime().removeShutdownHook(hook);
                return new Attempt(null, null, port, tlsPort, Files.readString(log));
            }
            if (answers(port)) {
                return new Attempt(process, hook, port, tlsPort, null);
            }
        }
        stop(process, hook);
        return new Attempt(null, null, port, tlsPort, "no answer within 10 s:\n" + Files.readString(log));
    }

    private static boolean answers(int port) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 200)) {
            return "PONG".equals(jedis.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    // The passwords are set over the connection, not in redis.conf, so that no quoting rule of the file applies.
    private static RedisServerProcess configured(Attempt started, Path directory, String password, String user,
                                                 String userPassword, String tlsUnavailable) {
        try (Jedis admin = new Jedis("127.0.0.1", started.port, 2000)) {
            admin.aclSetUser(user, "on", ">" + userPassword, "~circuit_breaker:*", "+@all");
            admin.configSet("requirepass", password);
        } catch (RuntimeException e) {
            stop(started.process, started.hook);
            throw e;
        }
        return new RedisServerProcess(started.process, directory, started.hook, started.port, started.tlsPort, tlsUnavailable);
    }

    private static String firstTlsLine(String log) {
        return log.lines().filter(l -> l.toLowerCase(Locale.ROOT).contains("tls")).findFirst().orElse(log).strip();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** A connection as the default user, authenticated with {@code password}. */
    Jedis admin(String password) {
        Jedis jedis = new Jedis("127.0.0.1", port, 2000);
        jedis.auth(password);
        return jedis;
    }

    @Override
    public void close() {
        try {
            stop(process, hook);
        } finally {
            delete(directory);
        }
    }

    private static void stop(Process process, Thread hook) {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs anyway.
            }
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + directory, e);
        }
    }
}
