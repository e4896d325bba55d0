package io.breakwater.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KRaft node in its own JVM, built from this classpath, behind a {@link FaultProxy}: for faults a
 * JVM cannot inflict on itself. {@link #freeze()} sends SIGSTOP (a frozen broker: connections stay open,
 * nothing answers), {@link #resume()} SIGCONT, {@link #kill()} SIGKILL, {@link #stop(Duration)} SIGTERM
 * (Kafka's controlled shutdown); {@link #restart()} starts it again on the same ports and data. The
 * broker's output goes to {@code broker.log} in its directory, or to a file that stays in the directory
 * {@value BrokerLogging#DIRECTORY_PROPERTY} names.
 * Its ports are held whenever no broker process has them: from the moment they are picked until the JVM
 * starts, and from a kill or stop to the restart. A first start that still loses one to another process
 * is tried again on fresh ports, up to {@value PortRetry#ATTEMPTS} times.
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
    private BrokerProcess process; // guarded by `this`
    private boolean closed; // guarded by `this`

    private ForkedKafkaBroker(Builder b, Path root, KafkaNode node, FaultProxy proxy) throws IOException {
        this.root = root;
        this.node = node;
        this.proxy = proxy;
        this.startTimeout = b.startTimeout;
        this.propertiesFile = root.resolve("broker.properties");
        this.logFile = BrokerLogging.directory().map(dir -> dir.resolve(root.getFileName() + ".log"))
                .orElse(root.resolve("broker.log"));
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

    /** One start on fresh ports, in a directory of its own; nothing of it is left if it fails. */
    private static ForkedKafkaBroker attempt(Builder b) throws PortTakenException {
        Path root = TempDirectories.create("breakwater-forked-kafka-");
        PortReservation ports = null;
        FaultProxy proxy = null;
        ForkedKafkaBroker broker = null;
        try {
            Path dataDir = Files.createDirectories(root.resolve("data"));
            ports = b.portSource.reserve(KafkaNode.LISTENERS.size());
            proxy = new FaultProxy("forked-0", KafkaNode.externalAddress(ports), 0);
            broker = new ForkedKafkaBroker(b, root, new KafkaNode(0, ports, proxy.port(), dataDir), proxy);
            broker.launch();
            return broker;
        } catch (IOException e) {
            abandon(root, ports, proxy, broker);
            throw new UncheckedIOException("could not prepare a forked broker", e);
        } catch (RuntimeException e) {
            abandon(root, ports, proxy, broker);
            if (broker != null) {
                Optional<PortTakenException> taken = PortTakenException.of(e, broker.node.describePorts(), broker.node.ports());
                if (taken.isPresent()) {
                    throw taken.get();
                }
            }
            throw e;
        }
    }

    private static void abandon(Path root, PortReservation ports, FaultProxy proxy, ForkedKafkaBroker broker) {
        if (broker != null) {
            broker.close();
            return;
        }
        if (proxy != null) {
            proxy.close();
        }
        if (ports != null) {
            ports.release();
        }
        TempDirectories.deleteRecursively(root);
    }

    private synchronized void launch() {
        if (closed) {
            throw new IllegalStateException("the forked broker is closed");
        }
        if (process != null && process.isAlive()) {
            return;
        }
        node.releasePorts(); // the new JVM binds them as it starts; if it fails, the caller sees to them
        process = BrokerProcess.start(JavaProcess.builder(KafkaNodeMain.class, jvmOptions,
                KafkaNodeMain.args(propertiesFile, clusterId, node.id)), logFile, startTimeout);
        LOG.info("forked Kafka broker pid {} ready at {}", process.pid(), bootstrapServers());
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

    /** SIGKILL, and waits for the process to end; its ports are held until {@link #restart()}. */
    public void kill() {
        BrokerProcess p;
        synchronized (this) {
            p = process;
        }
        if (p != null) {
            p.kill();
            node.holdPorts();
        }
    }

    /**
     * A clean stop: SIGTERM, so the broker runs Kafka's controlled shutdown (a frozen one is resumed to do
     * so), and waits up to {@code timeout} for the process to end. A broker that does not end in time is
     * killed, and this throws. Its ports are held until {@link #restart()}.
     *
     * @throws IllegalStateException when the broker had to be killed
     */
    public void stop(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        BrokerProcess p;
        synchronized (this) {
            p = process;
        }
        if (p == null) {
            return;
        }
        boolean clean = p.terminate(timeout);
        if (!clean) {
            p.kill();
        }
        node.holdPorts();
        if (!clean) {
            throw new IllegalStateException("the forked broker pid " + p.pid() + " did not stop within " + timeout
                    + " of SIGTERM, so it was killed; see " + logFile);
        }
    }

    /** Starts the broker again (after {@link #kill()} or {@link #stop(Duration)}), on the same ports and data. */
    public void restart() {
        try {
            launch();
        } catch (RuntimeException e) {
            node.releasePorts(); // if the start failed before it got to them
            List<Integer> taken = PortReservation.taken(node.ports());
            node.holdPorts();
            if (!taken.isEmpty()) {
                throw new IllegalStateException("could not restart the forked broker on " + node.describePorts()
                        + ": another socket took port(s) " + taken + " while it was down", e);
            }
            throw e;
        }
    }

    /** The broker's output so far. */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the broker, closes the proxy, frees the ports, deletes the data. Idempotent. */
    @Override
    public void close() {
        BrokerProcess p;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            p = process;
        }
        if (p != null && p.isAlive()) {
            try {
                JavaProcess.signal(p.pid(), "CONT"); // a frozen JVM cannot die of SIGTERM
            } catch (RuntimeException ignored) {
                // it may have ended meanwhile
            }
            p.kill();
        }
        node.releasePorts();
        proxy.close();
        TempDirectories.deleteRecursively(root);
    }

    @Override
    public synchronized String toString() {
        return "ForkedKafkaBroker[" + bootstrapServers() + (isAlive() ? ", pid " + process.pid() : ", not running") + "]";
    }

    /** Options of a {@link ForkedKafkaBroker}. */
    public static final class Builder {
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(60);
        private int heapMegabytes = 512;
        private PortSource portSource = PortSource.FRESH;

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

        /** Where the broker's ports come from (tests take ports away with it). */
        Builder portSource(PortSource source) {
            this.portSource = Objects.requireNonNull(source, "source");
            return this;
        }

        /** Starts the broker and returns once it is ready. */
        public ForkedKafkaBroker start() {
            return PortRetry.start("a forked Kafka broker", () -> attempt(this));
        }
    }
}
