package io.breakwater.testkit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * What every cluster of the testkit shares: an id, one {@link FaultProxy} per node that clients reach the node
 * through, and an admin client made on first use. The base of {@link EmbeddedKafkaCluster} and
 * {@link ForkedKafkaCluster}.
 */
abstract class ProxiedCluster implements AutoCloseable {

    private final String clusterId;
    private final List<FaultProxy> proxies;
    final ClusterAdmin admin;

    ProxiedCluster(String clusterId, List<FaultProxy> proxies) {
        this.clusterId = clusterId;
        this.proxies = List.copyOf(proxies);
        this.admin = new ClusterAdmin(clientConfig());
    }

    /** {@code host:port,...} of every node's proxy: what clients use as {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return proxies.stream().map(FaultProxy::address).collect(Collectors.joining(","));
    }

    /** Client properties with {@code bootstrap.servers} set; a fresh mutable map each time. */
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

    /** Every proxy, by node. */
    public List<FaultProxy> proxies() {
        return proxies;
    }

    /** An admin client of this cluster, made once and closed with it. */
    public Admin admin() {
        return admin.get();
    }

    /** Creates a topic and waits for it; an existing topic is left as it is. */
    public void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        TestBroker.createTopic(admin(), name, partitions, replicationFactor, configs);
    }

    /** {@code node}, when it is the index of a node. */
    int checkNode(int node) {
        if (node < 0 || node >= proxies.size()) {
            throw new IllegalArgumentException("node must be in [0, " + (proxies.size() - 1) + "], but was " + node);
        }
        return node;
    }

    @Override
    public abstract void close();
}
