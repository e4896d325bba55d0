package io.breakwater.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Lays a cluster out (each node's ports, directory, proxy and configuration), formats its nodes and has
 * them started together, in this JVM ({@link KafkaServers}) or each in its own ({@link ForkedNode}). Every
 * port of the cluster is held from the moment it is picked until its broker binds it, so no two collide;
 * when another socket takes one in the instant between, the cluster starts again on fresh ports
 * ({@link PortRetry}).
 */
final class ClusterLauncher {

    /** What a launch leaves running: the nodes, the proxies in front of them and their servers. */
    record Launched<S>(List<KafkaNode> nodes, List<FaultProxy> proxies, S servers) {
    }

    /**
     * Starts the nodes of a laid-out cluster, each from its config, and returns once all have started. If it
     * fails, it leaves none running; it may leave the ports to the launcher.
     */
    @FunctionalInterface
    interface Starter<S> {
        S start(List<KafkaNode> nodes, List<Properties> configs);
    }

    private final String clusterId;
    private final Path root;
    private final int size;
    private final Map<String, String> overrides;
    private final Duration startTimeout;
    private final PortSource portSource;
    private final List<String> scram;

    ClusterLauncher(String clusterId, Path root, int size, Map<String, String> overrides, Duration startTimeout,
            PortSource portSource, List<String> scram) {
        this.clusterId = clusterId;
        this.root = root;
        this.size = size;
        this.overrides = Map.copyOf(overrides);
        this.startTimeout = startTimeout;
        this.portSource = portSource;
        this.scram = List.copyOf(scram);
    }

    /** The SCRAM credentials the nodes are formatted with (none for a cluster that is not secured). */
    List<String> scramArguments() {
        return scram;
    }

    /** The cluster, its nodes formatted here and started by {@code starter}; {@code what} names it in errors. */
    <S> Launched<S> launch(String what, Starter<S> starter) {
        return launch(what, true, starter);
    }

    /**
     * As {@link #launch(String, Starter)}; with {@code formatHere} false, the nodes' own JVMs format their storage
     * ({@link KafkaNodeMain} does), so this JVM needs none of Kafka's broker classes: a test JVM may then run
     * another kafka-clients than the broker.
     */
    <S> Launched<S> launch(String what, boolean formatHere, Starter<S> starter) {
        return PortRetry.start(what + " of " + size + " node(s)", () -> attempt(formatHere, starter));
    }

    /** Where node {@code index} keeps its files; its data is in {@code data} below. */
    Path nodeDirectory(int index) {
        return root.resolve("node-" + index);
    }

    private <S> Launched<S> attempt(boolean formatHere, Starter<S> starter) throws PortTakenException {
        List<PortReservation> reservations = new ArrayList<>();
        List<FaultProxy> proxies = new ArrayList<>();
        List<KafkaNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                Path dir = Files.createDirectories(TempDirectories.empty(nodeDirectory(i)).resolve("data"));
                PortReservation ports = portSource.reserve(KafkaNode.LISTENERS.size());
                reservations.add(ports);
                // The proxy binds a port of the kernel's choosing at once: no reservation needed.
                FaultProxy proxy = new FaultProxy("node-" + i, KafkaNode.externalAddress(ports), 0);
                proxies.add(proxy);
                nodes.add(new KafkaNode(i, ports, proxy.port(), dir));
            }
            List<Properties> configs = new ArrayList<>();
            for (KafkaNode node : nodes) {
                configs.add(config(node, nodes));
                if (formatHere) {
                    format(node);
                }
            }
            return new Launched<>(nodes, proxies, starter.start(nodes, configs));
        } catch (IOException e) {
            abandon(reservations, proxies);
            throw new UncheckedIOException("could not prepare the Kafka cluster", e);
        } catch (RuntimeException e) {
            abandon(reservations, proxies);
            Optional<PortTakenException> taken = PortTakenException.of(e, describe(nodes),
                    nodes.stream().flatMap(n -> n.ports().stream()).collect(Collectors.toList()));
            if (taken.isPresent()) {
                throw taken.get();
            }
            throw e;
        } catch (Error e) {
            abandon(reservations, proxies);
            throw e;
        }
    }

    private Properties config(KafkaNode node, List<KafkaNode> nodes) {
        Properties config = node.properties(nodes, overrides);
        // A node that waits for peers that never come must give up, and shut itself down, by the start timeout.
        config.putIfAbsent("server.max.startup.time.ms", Long.toString(startTimeout.toMillis()));
        return config;
    }

    private void format(KafkaNode node) {
        try {
            node.format(clusterId, scram);
        } catch (Exception e) {
            throw new IllegalStateException("could not format the KRaft storage of " + node.dataDir, e);
        }
    }

    private static void abandon(List<PortReservation> reservations, List<FaultProxy> proxies) {
        proxies.forEach(FaultProxy::close);
        reservations.forEach(PortReservation::release);
    }

    private static String describe(List<KafkaNode> nodes) {
        return nodes.stream().map(KafkaNode::describePorts).collect(Collectors.joining("; "));
    }
}
