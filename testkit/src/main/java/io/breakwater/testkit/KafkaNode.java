package io.breakwater.testkit;

import java.io.PrintStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * The ports, directory and broker configuration of one KRaft node (broker and controller in one
 * process). Three listeners: EXTERNAL for clients (advertised as the address of the node's
 * {@link FaultProxy}), INTERNAL between brokers, CONTROLLER for the quorum. Only client traffic goes
 * through the proxy, so a proxy fault looks to clients like a network fault, and the cluster stays whole.
 */
final class KafkaNode {

    static final String CONTROLLER_LISTENER = "CONTROLLER";
    static final String INTERNAL_LISTENER = "INTERNAL";
    static final String EXTERNAL_LISTENER = "EXTERNAL";
    /** The node's listeners, in the order of its ports in a {@link PortReservation}. */
    static final List<String> LISTENERS = List.of(CONTROLLER_LISTENER, INTERNAL_LISTENER, EXTERNAL_LISTENER);

    final int id;
    final int controllerPort;
    final int internalPort;
    final int externalPort;
    final int advertisedPort;
    final Path dataDir;
    // Holds the ports while no broker has bound them; null while a broker may. Guarded by `this`.
    private PortReservation held;

    /** Node {@code id} on {@code ports}, held until {@link #releasePorts()}; clients are told {@code advertisedPort}. */
    KafkaNode(int id, PortReservation ports, int advertisedPort, Path dataDir) {
        this.id = id;
        this.controllerPort = ports.port(0);
        this.internalPort = ports.port(1);
        this.externalPort = ports.port(2);
        this.advertisedPort = advertisedPort;
        this.dataDir = dataDir;
        this.held = ports;
    }

    private KafkaNode(int id, Path dataDir) {
        this.id = id;
        this.controllerPort = -1;
        this.internalPort = -1;
        this.externalPort = -1;
        this.advertisedPort = -1;
        this.dataDir = dataDir;
    }

    /** A node known only by id and directory, enough to format it (in a forked broker). */
    static KafkaNode existing(int id, Path dataDir) {
        return new KafkaNode(id, dataDir);
    }

    /** Where the EXTERNAL listener of a node on {@code ports} will be. */
    static InetSocketAddress externalAddress(PortReservation ports) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.port(2));
    }

    List<Integer> ports() {
        return List.of(controllerPort, internalPort, externalPort);
    }

    /** Frees the node's ports for its broker, which is about to bind them. */
    synchronized void releasePorts() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    /** Holds the node's ports again, while its broker is down, as far as they are still free. */
    synchronized void holdPorts() {
        if (held == null) {
            held = PortReservation.again(ports());
        }
    }

    /**
     * After a failed restart: holds the node's ports again, and returns the error to throw: one that names the
     * ports another socket took while the node was down, if any, else {@code failure}.
     */
    RuntimeException restartFailed(RuntimeException failure) {
        releasePorts(); // if the start failed before it got to them
        List<Integer> taken = PortReservation.taken(ports());
        holdPorts();
        if (taken.isEmpty()) {
            return failure;
        }
        return new IllegalStateException("could not restart " + describePorts() + ": another socket took port(s) " + taken
                + " while the node was down", failure);
    }

    /** {@code node-0 CONTROLLER 127.0.0.1:p1, INTERNAL 127.0.0.1:p2, EXTERNAL 127.0.0.1:p3}. */
    String describePorts() {
        List<Integer> ports = ports();
        return "node-" + id + " " + IntStream.range(0, ports.size())
                .mapToObj(i -> LISTENERS.get(i) + " 127.0.0.1:" + ports.get(i)).collect(Collectors.joining(", "));
    }

    String voter() {
        return id + "@127.0.0.1:" + controllerPort;
    }

    /** The broker configuration of this node in a cluster whose voters are {@code nodes}. */
    Properties properties(List<KafkaNode> nodes, Map<String, String> overrides) {
        int size = nodes.size();
        int replicas = Math.min(size, 3);
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(id));
        p.put("controller.quorum.voters", nodes.stream().map(KafkaNode::voter).collect(Collectors.joining(",")));
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", "EXTERNAL://127.0.0.1:" + externalPort + ",INTERNAL://127.0.0.1:" + internalPort
                + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "EXTERNAL://127.0.0.1:" + advertisedPort + ",INTERNAL://127.0.0.1:" + internalPort);
        p.put("listener.security.protocol.map", "EXTERNAL:PLAINTEXT,INTERNAL:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "INTERNAL");
        p.put("log.dirs", dataDir.toString());
        p.put("metadata.log.dir", dataDir.toString());
        // Small: a test broker must not take the heap of a production one.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.replica.fetchers", "1");
        p.put("background.threads", "2");
        p.put("num.partitions", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("offsets.topic.replication.factor", Integer.toString(replicas));
        p.put("transaction.state.log.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", Integer.toString(replicas));
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", Integer.toString(replicas));
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // A killed node's old registration must expire before it comes back: keep that short for tests.
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("broker.session.timeout.ms", "3000");
        p.put("auto.create.topics.enable", "true");
        p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        p.putAll(overrides);
        return p;
    }

    /**
     * Writes the meta.properties and bootstrap checkpoint, with the SCRAM credentials {@code scram} (as
     * {@code kafka-storage format --add-scram} takes them); harmless on a node already formatted.
     */
    void format(String clusterId, List<String> scram) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setClusterId(clusterId)
                .setNodeId(id)
                .setDirectories(List.of(dataDir.toString()))
                .setMetadataLogDirectory(dataDir.toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setScramArguments(scram)
                .setIgnoreFormatted(true)
                .run();
    }
}
