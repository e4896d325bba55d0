package io.breakwater.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The options every cluster of the testkit shares, for the builders of {@link EmbeddedKafkaCluster} and {@link ForkedKafkaCluster}. */
abstract class ClusterBuilder<B extends ClusterBuilder<B>> {

    int nodes = 1;
    final Map<String, String> overrides = new LinkedHashMap<>();
    Duration startTimeout = Duration.ofSeconds(60);
    PortSource portSource = PortSource.FRESH;
    KafkaSecurity security;

    ClusterBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Number of nodes, 1..9 (each is broker and controller; all are voters). */
    public B nodes(int nodes) {
        if (nodes < 1 || nodes > 9) {
            throw new IllegalArgumentException("nodes must be in [1, 9], but was " + nodes);
        }
        this.nodes = nodes;
        return self();
    }

    /** A broker configuration value for every node, over the testkit's defaults. */
    public B brokerProperty(String key, String value) {
        overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return self();
    }

    /**
     * How long a node's start may take before it fails (default 60 s), the first and each later one; a node that
     * waits longer for its quorum gives up. A start on fresh ports has as long again.
     */
    public B startTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be > 0, but was " + timeout);
        }
        this.startTimeout = timeout;
        return self();
    }

    /**
     * Secures the client listener: SASL_SSL with SCRAM-SHA-512, the users and ACLs of {@code security}, and its
     * certificates. The cluster's {@code clientConfig()} and {@code admin()} then log in as its admin;
     * {@code clientConfig(user)} as another user.
     */
    public B secured(KafkaSecurity security) {
        this.security = Objects.requireNonNull(security, "security");
        return self();
    }

    /** Where the nodes' ports come from (tests take ports away with it). */
    B portSource(PortSource source) {
        this.portSource = Objects.requireNonNull(source, "source");
        return self();
    }

    /** The launcher of a cluster with these options, laid out in {@code root}. */
    ClusterLauncher launcher(String clusterId, Path root) {
        Map<String, String> config = new LinkedHashMap<>();
        if (security != null) {
            config.putAll(security.brokerProperties(KafkaNode.EXTERNAL_LISTENER, KafkaNode.INTERNAL_LISTENER,
                    KafkaNode.CONTROLLER_LISTENER));
        }
        config.putAll(overrides);
        return new ClusterLauncher(clusterId, root, nodes, config, startTimeout, portSource,
                security == null ? java.util.List.of() : security.scramArguments());
    }
}
