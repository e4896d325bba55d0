package io.breakwater.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache Kafka in KRaft mode, 1..N nodes, <b>each in a JVM of its own</b> built from this classpath (or the one
 * {@value JavaProcess#BROKER_CLASS_PATH_PROPERTY} names: a test JVM may run another kafka-clients), each a
 * combined broker and controller of an N-voter quorum, each behind a {@link FaultProxy} that clients reach it
 * through (the brokers talk to each other directly). For faults a JVM cannot inflict on itself, per node:
 * {@link #freeze(int)} (SIGSTOP: connections stay open, nothing answers), {@link #resume(int)} (SIGCONT),
 * {@link #kill(int)} (SIGKILL), {@link #stop(int, Duration)} (SIGTERM: Kafka's controlled shutdown, its
 * partition leaders move) and {@link #restart(int...)} on the same ports and data.
 *
 * <p>The quorum needs a majority of the nodes: a node started while a majority is down waits for it, so
 * nodes that come back together (after all were killed, say) must be restarted together, in one
 * {@link #restart(int...)} call. Ports and output as for {@link ForkedKafkaBroker}: held whenever no node
 * has them, a first start that loses one is tried again on fresh ports, output in {@code broker.log} of each
 * node's directory or in the directory {@value BrokerLogging#DIRECTORY_PROPERTY} names.
 *
 * <p>Thread-safe: faults on different nodes may run at once from different threads.
 */
public final class ForkedKafkaCluster extends ProxiedCluster {

    private static final Logger LOG = LoggerFactory.getLogger(ForkedKafkaCluster.class);

    private final Path root;
    private final List<ForkedNode> nodes;
    // Kills the nodes when this JVM ends without closing the cluster (Ctrl-C, a test JVM stopped by its build).
    private final Thread reaper = new Thread(this::close, "forked-kafka-cluster-reaper");
    private boolean closed; // guarded by `this`

    private ForkedKafkaCluster(String clusterId, Path root, ClusterLauncher.Launched<List<ForkedNode>> launched,
            KafkaSecurity security) {
        super(clusterId, launched.proxies(), security);
        this.root = root;
        this.nodes = List.copyOf(launched.servers());
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The process id of node {@code node}'s JVM; fails when it is not running. */
    public long pid(int node) {
        return forked(node).pid();
    }

    /** Whether node {@code node}'s JVM runs (a frozen one does). */
    public boolean isAlive(int node) {
        return forked(node).isAlive();
    }

    /** SIGSTOP: the node stops dead, its sockets stay open. */
    public void freeze(int node) {
        forked(node).freeze();
    }

    /** SIGCONT: a frozen node carries on. */
    public void resume(int node) {
        forked(node).resume();
    }

    /** SIGKILL, and waits for the JVM to end; its ports are held until {@link #restart(int...)}. */
    public void kill(int node) {
        forked(node).kill();
    }

    /**
     * A clean stop: SIGTERM, so the node runs Kafka's controlled shutdown (a frozen one is resumed to do so),
     * and waits up to {@code timeout} for its JVM to end. A node that does not end in time (its controlled
     * shutdown waits for a quorum that is away, say) is killed, and this throws.
     *
     * @throws IllegalStateException when the node had to be killed
     */
    public void stop(int node, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        forked(node).stop(timeout);
    }

    /**
     * Starts the given nodes again, at once, on their ports and data, and returns once all are ready (nodes that
     * run are left as they are). A node waits for a quorum as it starts: restart together the nodes that
     * make a majority only together.
     *
     * @throws IllegalArgumentException when no node is given or one is out of range
     * @throws IllegalStateException    when a node did not start (the first failure; the others suppressed)
     */
    public void restart(int... node) {
        if (node == null || node.length == 0) {
            throw new IllegalArgumentException("restart needs at least one node, but was given none");
        }
        List<ForkedNode> which = Arrays.stream(node).distinct().mapToObj(this::forked).toList();
        Parallel.forEach("restart", which, ForkedNode::restart);
    }

    /**
     * {@code host:port,...} of every node's INTERNAL listener, which the brokers use among themselves: a client
     * bootstrapped here reaches the nodes directly, not through their proxies, so proxy faults never reach it and
     * it pays nothing for the proxies' copying (a benchmark's client, say).
     */
    public String directBootstrapServers() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.node().internalPort).collect(java.util.stream.Collectors.joining(","));
    }

    /** Node {@code node}'s output so far. */
    public String log(int node) {
        return forked(node).log();
    }

    /** The file node {@code node} writes its output to. */
    public Path logFile(int node) {
        return forked(node).logFile();
    }

    private ForkedNode forked(int node) {
        return nodes.get(checkNode(node));
    }

    /** Kills every node, closes the proxies, frees the ports, deletes the data. Idempotent; also run when the JVM ends. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (Thread.currentThread() != reaper) {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the reaper runs anyway
            }
        }
        admin.close();
        Parallel.forEach("close", nodes, ForkedNode::close);
        proxies().forEach(FaultProxy::close);
        TempDirectories.deleteRecursively(root);
    }

    @Override
    public String toString() {
        return "ForkedKafkaCluster[" + size() + " node(s), " + bootstrapServers() + "]";
    }

    /** Options of a {@link ForkedKafkaCluster}. */
    public static final class Builder extends ClusterBuilder<Builder> {
        private int heapMegabytes = 512;
        private Path dataParent;
        private final List<String> extraJvmOptions = new ArrayList<>();

        private Builder() {
        }

        /** Where the nodes' data go (a directory of their own in it); by default the system's temporary directory. */
        public Builder dataParent(Path parent) {
            this.dataParent = Objects.requireNonNull(parent, "parent");
            return this;
        }

        /** Each node JVM's maximum heap (default 512 MiB). */
        public Builder heapMegabytes(int megabytes) {
            if (megabytes < 128) {
                throw new IllegalArgumentException("heapMegabytes must be >= 128, but was " + megabytes);
            }
            this.heapMegabytes = megabytes;
            return this;
        }

        /**
         * An option for each node's JVM, after the testkit's own, so that it wins over them: a benchmark's broker
         * may want {@code -XX:TieredStopAtLevel=4} (the testkit's nodes compile with C1 only, to start fast).
         */
        public Builder jvmOption(String option) {
            Objects.requireNonNull(option, "option");
            if (!option.startsWith("-")) {
                throw new IllegalArgumentException("a JVM option starts with '-', but was '" + option + "'");
            }
            extraJvmOptions.add(option);
            return this;
        }

        /** Starts every node, together, and returns once all are ready. */
        public ForkedKafkaCluster start() {
            long started = System.nanoTime();
            String clusterId = Uuid.randomUuid().toString();
            Path root = TempDirectories.create("breakwater-forked-kafka-", dataParent);
            List<String> jvmOptions = new ArrayList<>(List.of("-Xms128m", "-Xmx" + heapMegabytes + "m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true"));
            jvmOptions.addAll(BrokerLogging.jvmOptions());
            jvmOptions.addAll(extraJvmOptions);
            ClusterLauncher launcher = launcher(clusterId, root);
            ClusterLauncher.Launched<List<ForkedNode>> launched;
            try {
                // Each node formats its storage in its own JVM: this one may run another kafka-clients than the broker.
                launched = launcher.launch("a forked Kafka cluster", false, (kafkaNodes, configs) -> {
                    List<ForkedNode> forked = new ArrayList<>();
                    for (KafkaNode node : kafkaNodes) {
                        Properties config = configs.get(node.id);
                        Path dir = launcher.nodeDirectory(node.id);
                        Path log = BrokerLogging.directory().map(d -> d.resolve(root.getFileName() + "-node-" + node.id + ".log"))
                                .orElse(dir.resolve("broker.log"));
                        forked.add(new ForkedNode(node, config, launcher.scramArguments(), clusterId, dir, log, jvmOptions,
                                startTimeout));
                    }
                    // A node that failed leaves the others waiting for their quorum: they are killed at once.
                    Runnable killAll = () -> forked.forEach(ForkedNode::close);
                    try {
                        Parallel.forEach("start", forked, ForkedNode::launch, killAll);
                    } catch (RuntimeException | Error e) {
                        killAll.run();
                        throw e;
                    }
                    return forked;
                });
            } catch (RuntimeException | Error e) {
                TempDirectories.deleteRecursively(root);
                throw e;
            }
            ForkedKafkaCluster cluster = new ForkedKafkaCluster(clusterId, root, launched, security);
            if (security != null) {
                try {
                    cluster.admin.createAcls(security.acls(), startTimeout);
                } catch (RuntimeException | Error e) {
                    cluster.close();
                    throw e;
                }
            }
            LOG.info("forked Kafka cluster {} with {} node(s) ready at {} in {} ms", clusterId, nodes,
                    cluster.bootstrapServers(), (System.nanoTime() - started) / 1_000_000);
            return cluster;
        }
    }
}
