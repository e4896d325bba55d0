package io.breakwater.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache Kafka in KRaft mode, in this JVM: 1..N nodes, each a combined broker and controller, with an
 * N-voter quorum. Free loopback ports, held from the moment they are picked until their broker binds them
 * (a start that still loses one to another process is tried again on fresh ports, up to
 * {@value PortRetry#ATTEMPTS} times), a temporary directory removed on close, a small heap footprint.
 * Clients connect through one {@link FaultProxy} per node, so a test can cut, freeze or slow a node's
 * client traffic; {@link #stop(int)} and {@link #start(int)} restart a node on the same ports and data.
 *
 * <pre>{@code
 * try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().nodes(3).start()) {
 *     props.put("bootstrap.servers", kafka.bootstrapServers());
 *     kafka.proxy(0).blackHole();
 * }
 * }</pre>
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

    static {
        BrokerLogging.apply();
    }

    private final String clusterId;
    private final Path root;
    private final List<FaultProxy> proxies;
    private final KafkaServers servers;
    private final ClusterAdmin admin;
    private final Duration startTimeout;
    private boolean closed; // guarded by `this`

    private EmbeddedKafkaCluster(String clusterId, Path root, ClusterLauncher.Launched launched, Duration startTimeout) {
        this.clusterId = clusterId;
        this.root = root;
        this.proxies = List.copyOf(launched.proxies());
        this.servers = launched.servers();
        this.startTimeout = startTimeout;
        this.admin = new ClusterAdmin(clientConfig());
    }

    /** A builder for a cluster; {@link Builder#start()} starts it. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a one-node cluster with the defaults. */
    public static EmbeddedKafkaCluster startSingleNode() {
        return builder().start();
    }

    /** {@code host:port,...} of every node's proxy: what clients use as {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return proxies.stream().map(FaultProxy::address).collect(Collectors.joining(","));
    }

    /** Client properties with {@code bootstrap.servers} set. */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return config;
    }

    /** Number of nodes. */
    public int size() {
        return proxies.size();
    }

    public String clusterId() {
        return clusterId;
    }

    /** The proxy in front of node {@code node} (0-based), to inject faults into its client traffic. */
    public FaultProxy proxy(int node) {
        return proxies.get(checkNode(node));
    }

    /** Every proxy. */
    public List<FaultProxy> proxies() {
        return Collections.unmodifiableList(proxies);
    }

    /** Freezes client traffic to every node (see {@link ProxyMode#BLACK_HOLE}). */
    public void blackHoleAll() {
        proxies.forEach(FaultProxy::blackHole);
    }

    /** Cuts client traffic to every node (see {@link ProxyMode#CUT}). */
    public void cutAll() {
        proxies.forEach(FaultProxy::cut);
    }

    /** Lets client traffic to every node pass again. */
    public void passAll() {
        proxies.forEach(FaultProxy::pass);
    }

    /** Shuts node {@code node} down (controlled shutdown); its ports and data stay for {@link #start(int)}. */
    public void stop(int node) {
        servers.stop(checkNode(node));
    }

    /** Starts node {@code node} again, on the same ports and data. */
    public void start(int node) {
        servers.start(checkNode(node), startTimeout);
    }

    /** Whether node {@code node} runs. */
    public boolean isRunning(int node) {
        return servers.isRunning(checkNode(node));
    }

    /** An admin client of this cluster, made once and closed with it. */
    public Admin admin() {
        return admin.get();
    }

    /** Creates a topic and waits for it; an existing topic is left as it is. */
    public void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        TestBroker.createTopic(admin(), name, partitions, replicationFactor, configs);
    }

    /** Creates a topic with one partition and replication factor 1. */
    public void createTopic(String name) {
        createTopic(name, 1, 1, Map.of());
    }

    private int checkNode(int node) {
        if (node < 0 || node >= proxies.size()) {
            throw new IllegalArgumentException("node must be in [0, " + (proxies.size() - 1) + "], but was " + node);
        }
        return node;
    }

    /** Stops every node, closes the proxies and deletes the data. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        admin.close();
        proxies.forEach(FaultProxy::pass);
        servers.stopAll();
        proxies.forEach(FaultProxy::close);
        TempDirectories.deleteRecursively(root);
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaCluster[" + proxies.size() + " node(s), " + bootstrapServers() + "]";
    }

    /** Options of an {@link EmbeddedKafkaCluster}. */
    public static final class Builder {
        private int nodes = 1;
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(60);
        private PortSource portSource = PortSource.FRESH;

        private Builder() {
        }

        /** Number of nodes, 1..9 (each is broker and controller; all are voters). */
        public Builder nodes(int nodes) {
            if (nodes < 1 || nodes > 9) {
                throw new IllegalArgumentException("nodes must be in [1, 9], but was " + nodes);
            }
            this.nodes = nodes;
            return this;
        }

        /** A broker configuration value for every node, over the testkit's defaults. */
        public Builder brokerProperty(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** How long the start may take before it fails (default 60 s); a start on fresh ports has as long again. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Where the nodes' ports come from (tests take ports away with it). */
        Builder portSource(PortSource source) {
            this.portSource = Objects.requireNonNull(source, "source");
            return this;
        }

        /** Starts the cluster and returns once every broker is registered. */
        public EmbeddedKafkaCluster start() {
            long started = System.nanoTime();
            String clusterId = Uuid.randomUuid().toString();
            Path root = TempDirectories.create("breakwater-kafka-");
            ClusterLauncher.Launched launched;
            try {
                launched = new ClusterLauncher(clusterId, root, nodes, overrides, startTimeout, portSource).launch();
            } catch (RuntimeException | Error e) {
                TempDirectories.deleteRecursively(root);
                throw e;
            }
            EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(clusterId, root, launched, startTimeout);
            try {
                cluster.admin.awaitBrokers(nodes, startTimeout);
            } catch (RuntimeException | Error e) {
                cluster.close();
                throw e;
            }
            LOG.info("Kafka cluster {} with {} node(s) ready at {} in {} ms", clusterId, nodes, cluster.bootstrapServers(),
                    (System.nanoTime() - started) / 1_000_000);
            return cluster;
        }
    }
}
