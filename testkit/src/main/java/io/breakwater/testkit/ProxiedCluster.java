package io.breakwater.testkit;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Optional;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/**
 * What every cluster of the testkit shares: an id, one {@link FaultProxy} per node that clients reach the node
 * through, and an admin client made on first use. The base of {@link EmbeddedKafkaCluster} and
 * {@link ForkedKafkaCluster}.
 */
abstract class ProxiedCluster implements AutoCloseable {

    private final String clusterId;
    private final List<FaultProxy> proxies;
    private final KafkaSecurity security; // null: not secured
    final ClusterAdmin admin;

    ProxiedCluster(String clusterId, List<FaultProxy> proxies, KafkaSecurity security) {
        this.clusterId = clusterId;
        this.proxies = List.copyOf(proxies);
        this.security = security;
        this.admin = new ClusterAdmin(clientConfig());
    }

    /** {@code host:port,...} of every node's proxy: what clients use as {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return proxies.stream().map(FaultProxy::address).collect(Collectors.joining(","));
    }

    /**
     * Client properties with {@code bootstrap.servers} set, and on a secured cluster those that log in as its admin (a
     * super user); a fresh mutable map each time.
     */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>();
        if (security != null) {
            config.putAll(security.clientConfig(security.adminUser()));
        }
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return config;
    }

    /**
     * On a secured cluster: client properties that log in as {@code user} ({@code bootstrap.servers},
     * {@code security.protocol}, {@code sasl.*}, {@code ssl.*}); a fresh mutable map each time.
     *
     * @throws IllegalStateException    when the cluster is not secured
     * @throws IllegalArgumentException when {@code user} is not one of its users
     */
    public Map<String, Object> clientConfig(String user) {
        Map<String, Object> config = requireSecurity().clientConfig(user);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return config;
    }

    /** The security of a secured cluster, if it is one. */
    public Optional<KafkaSecurity> security() {
        return Optional.ofNullable(security);
    }

    /**
     * Creates ACLs (through {@link #admin()}, as the admin) and returns once a broker reports them all, at most 30 s.
     *
     * @throws IllegalStateException when the cluster is not secured, or they were not created in time
     */
    public void createAcls(Collection<AclBinding> acls) {
        requireSecurity();
        admin.createAcls(acls, Duration.ofSeconds(30));
    }

    /** Deletes the ACLs that {@code filters} match, and returns once a broker no longer reports them, at most 30 s. */
    public void deleteAcls(Collection<AclBindingFilter> filters) {
        requireSecurity();
        admin.deleteAcls(filters, Duration.ofSeconds(30));
    }

    private KafkaSecurity requireSecurity() {
        if (security == null) {
            throw new IllegalStateException("this cluster is not secured; build it with secured(KafkaSecurity)");
        }
        return security;
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
