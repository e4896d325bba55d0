package io.breakwater.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KRaft node in a JVM of its own ({@link KafkaNodeMain}), started from a properties file in its
 * directory, on this JVM's classpath or the one {@value JavaProcess#BROKER_CLASS_PATH_PROPERTY} names; its output
 * goes to a log file. Its ports are held whenever no broker process has them: until
 * the JVM is launched, and from a kill or stop to the restart. Thread-safe.
 */
final class ForkedNode {

    private static final Logger LOG = LoggerFactory.getLogger(ForkedNode.class);

    private final KafkaNode node;
    private final String clusterId;
    private final Path propertiesFile;
    private final Path scramFile; // null without SCRAM users
    private final Path logFile;
    private final List<String> jvmOptions;
    private final Duration startTimeout;
    private BrokerProcess process; // guarded by `this`
    private boolean closed; // guarded by `this`

    ForkedNode(KafkaNode node, Properties config, List<String> scram, String clusterId, Path dir, Path logFile,
            List<String> jvmOptions, Duration startTimeout) {
        this.node = node;
        this.clusterId = clusterId;
        this.propertiesFile = dir.resolve("broker.properties");
        this.logFile = logFile;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.startTimeout = startTimeout;
        try (OutputStream out = Files.newOutputStream(propertiesFile)) {
            config.store(out, "forked Breakwater test broker, node " + node.id);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + propertiesFile, e);
        }
        this.scramFile = scram.isEmpty() ? null : dir.resolve("scram-credentials.txt");
        if (scramFile != null) {
            try {
                Files.write(scramFile, scram);
            } catch (IOException e) {
                throw new UncheckedIOException("could not write " + scramFile, e);
            }
        }
    }

    /** Starts the JVM unless it runs, and returns once the node is ready (or throws, the JVM gone). Not concurrently for one node. */
    void launch() {
        BrokerProcess p;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("node-" + node.id + " is closed");
            }
            if (process != null && process.isAlive()) {
                return;
            }
            node.releasePorts(); // the new JVM binds them as it starts; if it fails, the caller sees to them
            p = BrokerProcess.launch(JavaProcess.builder(KafkaNodeMain.class, JavaProcess.brokerClassPath(), jvmOptions,
                    KafkaNodeMain.args(propertiesFile, clusterId, node.id, scramFile)), logFile);
            process = p;
        }
        // Not under the lock: close() may kill a node that waits for its quorum.
        p.awaitReady(startTimeout);
        LOG.info("forked Kafka node {} pid {} ready", node.id, p.pid());
    }

    synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("node-" + node.id + " is not running");
        }
        return process.pid();
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    void freeze() {
        JavaProcess.signal(pid(), "STOP");
    }

    void resume() {
        JavaProcess.signal(pid(), "CONT");
    }

    /** SIGKILL, and waits for the process to end; the ports are held until {@link #restart()}. */
    void kill() {
        BrokerProcess p = current();
        if (p != null) {
            p.kill();
            node.holdPorts();
        }
    }

    /**
     * SIGTERM (Kafka's controlled shutdown; a frozen node is resumed to run it), waiting up to {@code timeout}
     * for the JVM to end; one that does not is killed, and this throws. The ports are held until {@link #restart()}.
     */
    void stop(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        BrokerProcess p = current();
        if (p == null) {
            return;
        }
        boolean clean = p.terminate(timeout);
        if (!clean) {
            p.kill();
        }
        node.holdPorts();
        if (!clean) {
            throw new IllegalStateException("node-" + node.id + " (pid " + p.pid() + ") did not stop within " + timeout
                    + " of SIGTERM, so it was killed; see " + logFile);
        }
    }

    /** Starts the JVM again on the same ports and data; nothing happens if it runs. */
    void restart() {
        try {
            launch();
        } catch (RuntimeException e) {
            throw node.restartFailed(e);
        }
    }

    /** The node's output so far. */
    String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path logFile() {
        return logFile;
    }

    KafkaNode node() {
        return node;
    }

    private synchronized BrokerProcess current() {
        return process;
    }

    /** Kills the JVM (a frozen one too) and frees the ports. Idempotent. */
    void close() {
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
    }
}
