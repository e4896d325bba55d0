package io.breakwater.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
public final class EmbeddedKafkaCluster extends ProxiedCluster {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

    static {
        BrokerLogging.apply();
    }

    private final Path root;
    private final KafkaServers servers;
    private final Duration startTimeout;
    private boolean closed; // guarded by `this`

    private EmbeddedKafkaCluster(String clusterId, Path root, ClusterLauncher.Launched<KafkaServers> launched,
            Duration startTimeout, KafkaSecurity security) {
        super(clusterId, launched.proxies(), security);
        this.root = root;
        this.servers = launched.servers();
        this.startTimeout = startTimeout;
    }

    /** A builder for a cluster; {@link Builder#start()} starts it. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a one-node cluster with the defaults. */
    public static EmbeddedKafkaCluster startSingleNode() {
        return builder().start();
    }

    /** Freezes client traffic to every node (see {@link ProxyMode#BLACK_HOLE}). */
    public void blackHoleAll() {
        proxies().forEach(FaultProxy::blackHole);
    }

    /** Cuts client traffic to every node (see {@link ProxyMode#CUT}). */
    public void cutAll() {
        proxies().forEach(FaultProxy::cut);
    }

    /** Lets client traffic to every node pass again. */
    public void passAll() {
        proxies().forEach(FaultProxy::pass);
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

    /** Creates a topic with one partition and replication factor 1. */
    public void createTopic(String name) {
        createTopic(name, 1, 1, Map.of());
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
        proxies().forEach(FaultProxy::pass);
        servers.stopAll();
        proxies().forEach(FaultProxy::close);
        TempDirectories.deleteRecursively(root);
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaCluster[" + size() + " node(s), " + bootstrapServers() + "]";
    }

    /** Options of an {@link EmbeddedKafkaCluster}. */
    public static final class Builder extends ClusterBuilder<Builder> {

        private Builder() {
        }

        /** Starts the cluster and returns once every broker is registered. */
        public EmbeddedKafkaCluster start() {
            long started = System.nanoTime();
            String clusterId = Uuid.randomUuid().toString();
            Path root = TempDirectories.create("breakwater-kafka-");
            ClusterLauncher.Launched<KafkaServers> launched;
            try {
                launched = launcher(clusterId, root).launch("an embedded Kafka cluster",
                        (kafkaNodes, configs) -> KafkaServers.startAll(kafkaNodes, configs, startTimeout));
            } catch (RuntimeException | Error e) {
                TempDirectories.deleteRecursively(root);
                throw e;
            }
            EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(clusterId, root, launched, startTimeout, security);
            try {
                cluster.admin.awaitBrokers(nodes, startTimeout);
                if (security != null) {
                    cluster.admin.createAcls(security.acls(), startTimeout);
                }
            } catch (RuntimeException | Error e) {
                cluster.close();
                throw e;
            }
            LOG.info("Kafka cluster {} with {} node(s){} ready at {} in {} ms", clusterId, nodes,
                    security == null ? "" : " (SASL_SSL)", cluster.bootstrapServers(), (System.nanoTime() - started) / 1_000_000);
            return cluster;
        }
    }
}
