package io.breakwater.testkit;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** An {@link EmbeddedKafkaCluster} as a {@link TestBroker}: its client properties (the admin's login when secured). */
final class EmbeddedBroker implements TestBroker {

    private final EmbeddedKafkaCluster cluster;

    EmbeddedBroker(EmbeddedKafkaCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public BrokerKind kind() {
        return BrokerKind.EMBEDDED;
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public Map<String, Object> clientConfig() {
        return cluster.clientConfig();
    }

    @Override
    public Admin admin() {
        return cluster.admin();
    }

    @Override
    public EmbeddedKafkaCluster cluster() {
        return cluster;
    }

    @Override
    public void close() {
        cluster.close();
    }

    @Override
    public String toString() {
        return cluster.toString();
    }
}
