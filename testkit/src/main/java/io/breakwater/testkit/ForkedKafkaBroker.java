package io.breakwater.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KRaft node in its own JVM, built from this classpath, behind a {@link FaultProxy}: for faults a
 * JVM cannot inflict on itself. {@link #freeze()} sends SIGSTOP (a frozen broker: connections stay open,
 * nothing answers), {@link #resume()} SIGCONT, {@link #kill()} SIGKILL; {@link #restart()} starts it
 * again on the same ports and data. The broker's output goes to {@code broker.log} in its directory.
 */
public final class ForkedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ForkedKafkaBroker.class);

    private final String clusterId = Uuid.randomUuid().toString();
    private final Path root;
    private final KafkaNode node;
    private final FaultProxy proxy;
    private final Path propertiesFile;
    private final Path logFile;
    private final Duration startTimeout;
    private final List<String> jvmOptions;
    private Process process;
    private boolean closed;

    private ForkedKafkaBroker(Builder b) throws IOException {
        this.root = Files.createTempDirectory("breakwater-forked-kafka-");
        this.startTimeout = b.startTimeout;
        int proxyPort = KafkaNode.freePort();
        Path dataDir = Files.createDirectories(root.resolve("data"));
        this.node = new KafkaNode(0, proxyPort, dataDir);
        this.proxy = new FaultProxy("forked-0", node.externalAddress(), proxyPort);
        this.propertiesFile = root.resolve("broker.properties");
        this.logFile = root.resolve("broker.log");
        Properties properties = node.properties(List.of(node), b.overrides);
        try (OutputStream out = Files.newOutputStream(propertiesFile)) {
            properties.store(out, "forked Breakwater test broker");
        }
        List<String> options = new ArrayList<>(List.of("-Xms128m", "-Xmx" + b.heapMegabytes + "m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true"));
        options.addAll(BrokerLogging.jvmOptions());
        this.jvmOptions = List.copyOf(options);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a forked broker with the defaults. */
    public static ForkedKafkaBroker start() {
        return builder().start();
    }

    private synchronized void launch() {
        if (closed) {
            throw new IllegalStateException("the forked broker is closed");
        }
        if (process != null && process.isAlive()) {
            return;
        }
        ProcessBuilder builder = JavaProcess.builder(KafkaNodeMain.class, jvmOptions,
                KafkaNodeMain.args(propertiesFile, clusterId, node.id)).redirectErrorStream(true);
        CountDownLatch ready = new CountDownLatch(1);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a JVM for the broker: " + builder.command().get(0), e);
        }
        Process started = process;
        Thread reader = new Thread(() -> copyOutput(started, ready), "forked-kafka-output-" + started.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            boolean up = ready.await(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!up) {
                started.destroyForcibly();
                throw new IllegalStateException(started.isAlive() || started.exitValue() == 0
                        ? "the forked broker did not start within " + startTimeout + "; see " + logFile
                        : "the forked broker exited with " + started.exitValue() + "; see " + logFile);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.destroyForcibly();
            throw new IllegalStateException("interrupted while the forked broker started", e);
        }
        LOG.info("forked Kafka broker pid {} ready at {}", started.pid(), bootstrapServers());
    }

    private void copyOutput(Process p, CountDownLatch ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals(KafkaNodeMain.READY)) {
                    ready.countDown();
                }
                Files.writeString(logFile, line + System.lineSeparator(), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            // the process ended, or the directory was removed on close
        }
    }

    /** {@code host:port} of the proxy in front of the broker. */
    public String bootstrapServers() {
        return proxy.address();
    }

    /** The proxy in front of the broker, for network faults. */
    public FaultProxy proxy() {
        return proxy;
    }

    /** The broker's process id. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("the forked broker is not running");
        }
        return process.pid();
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGSTOP: the broker stops dead, its sockets stay open. */
    public void freeze() {
        JavaProcess.signal(pid(), "STOP");
    }

    /** SIGCONT: a frozen broker carries on. */
    public void resume() {
        JavaProcess.signal(pid(), "CONT");
    }

    /** SIGKILL, and waits for the process to end. */
    public void kill() {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("broker pid " + p.pid() + " survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing the broker", e);
        }
    }

    /** Starts the broker again (after {@link #kill()}), on the same ports and data. */
    public void restart() {
        launch();
    }

    /** The broker's output so far. */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the broker, closes the proxy, deletes the data. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Process p = process;
        if (p != null && p.isAlive()) {
            try {
                JavaProcess.signal(p.pid(), "CONT"); // a frozen JVM cannot die of SIGTERM
            } catch (RuntimeException ignored) {
                // it may have ended meanwhile
            }
            kill();
        }
        proxy.close();
        TempDirectories.deleteRecursively(root);
    }

    @Override
    public String toString() {
        return "ForkedKafkaBroker[" + bootstrapServers() + (isAlive() ? ", pid " + process.pid() : ", not running") + "]";
    }

    /** Options of a {@link ForkedKafkaBroker}. */
    public static final class Builder {
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(60);
        private int heapMegabytes = 512;

        private Builder() {
        }

        public Builder brokerProperty(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The broker JVM's maximum heap (default 512 MiB). */
        public Builder heapMegabytes(int megabytes) {
            if (megabytes < 128) {
                throw new IllegalArgumentException("heapMegabytes must be >= 128, but was " + megabytes);
            }
            this.heapMegabytes = megabytes;
            return this;
        }

        /** Starts the broker and returns once it is ready. */
        public ForkedKafkaBroker start() {
            ForkedKafkaBroker broker;
            try {
                broker = new ForkedKafkaBroker(this);
            } catch (IOException e) {
                throw new UncheckedIOException("could not prepare a forked broker", e);
            }
            try {
                broker.launch();
                return broker;
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
        }
    }
}
