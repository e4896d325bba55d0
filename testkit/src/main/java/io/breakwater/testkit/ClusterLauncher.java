package io.breakwater.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Lays an embedded cluster out (each node's ports, directory, proxy and configuration), formats its
 * nodes and starts them together.
 */
final class ClusterLauncher {

    /** What a launch leaves running: the nodes, the proxies in front of them and their servers. */
    record Launched(List<KafkaNode> nodes, List<FaultProxy> proxies, KafkaServers servers) {
    }

    private final String clusterId;
    private final Path root;
    private final int size;
    private final Map<String, String> overrides;
    private final Duration startTimeout;

    ClusterLauncher(String clusterId, Path root, int size, Map<String, String> overrides, Duration startTimeout) {
        this.clusterId = clusterId;
        this.root = root;
        this.size = size;
        this.overrides = Map.copyOf(overrides);
        this.startTimeout = startTimeout;
    }

    Launched launch() {
        List<KafkaNode> nodes = new ArrayList<>();
        List<FaultProxy> proxies = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                Path dir = TempDirectories.empty(root.resolve("node-" + i));
                int proxyPort = KafkaNode.freePort();
                KafkaNode node = new KafkaNode(i, proxyPort, dir);
                nodes.add(node);
                proxies.add(new FaultProxy("node-" + i, node.externalAddress(), proxyPort));
            }
            List<Properties> configs = new ArrayList<>();
            for (KafkaNode node : nodes) {
                configs.add(node.properties(nodes, overrides));
                format(node);
            }
            return new Launched(nodes, proxies, KafkaServers.startAll(nodes, configs, startTimeout));
        } catch (IOException e) {
            proxies.forEach(FaultProxy::close);
            throw new UncheckedIOException("could not prepare the embedded Kafka cluster", e);
        } catch (RuntimeException | Error e) {
            proxies.forEach(FaultProxy::close);
            throw e;
        }
    }

    private void format(KafkaNode node) {
        try {
            node.format(clusterId);
        } catch (Exception e) {
            throw new IllegalStateException("could not format the KRaft storage of " + node.dataDir, e);
        }
    }
}
