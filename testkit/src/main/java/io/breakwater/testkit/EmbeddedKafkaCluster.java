package io.breakwater.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache Kafka in KRaft mode, in this JVM: 1..N nodes, each a combined broker and controller, with an
 * N-voter quorum. Free loopback ports, a temporary directory removed on close, a small heap footprint.
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
        // A broker that hits a fatal error calls Exit; in a test JVM that must be an exception, not System.exit.
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("embedded Kafka asked to exit(" + code + "): " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("embedded Kafka asked to halt(" + code + "): " + message);
        });
    }

    private final String clusterId = Uuid.randomUuid().toString();
    private final Path root;
    private final List<KafkaNode> nodes = new ArrayList<>();
    private final List<FaultProxy> proxies = new ArrayList<>();
    private final List<Properties> configs = new ArrayList<>();
    // Running servers by node index; null while stopped. Guarded by `this`.
    private final KafkaRaftServer[] servers;
    private final Duration startTimeout;
    private Admin admin;
    private boolean closed;

    private EmbeddedKafkaCluster(Builder b) throws IOException {
        this.root = Files.createTempDirectory("breakwater-kafka-");
        this.startTimeout = b.startTimeout;
        this.servers = new KafkaRaftServer[b.nodes];
        try {
            for (int i = 0; i < b.nodes; i++) {
                Path dir = Files.createDirectories(root.resolve("node-" + i));
                int proxyPort = KafkaNode.freePort();
                KafkaNode node = new KafkaNode(i, proxyPort, dir);
                nodes.add(node);
                proxies.add(new FaultProxy("node-" + i, node.externalAddress(), proxyPort));
            }
            for (KafkaNode node : nodes) {
                configs.add(node.properties(nodes, b.overrides));
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** A builder for a cluster; {@link Builder#start()} starts it. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a one-node cluster with the defaults. */
    public static EmbeddedKafkaCluster startSingleNode() {
        return builder().start();
    }

    private void startAll() {
        long started = System.nanoTime();
        try {
            for (int i = 0; i < nodes.size(); i++) {
                nodes.get(i).format(clusterId);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not format the KRaft storage of " + root, e);
        }
        // A combined node waits for a quorum as it starts, so the nodes of a cluster start together.
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            int node = i;
            starts.add(CompletableFuture.runAsync(() -> startServer(node), runnable -> daemon(runnable, "start-" + node)));
        }
        await(CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)), "start " + nodes.size() + " node(s)");
        awaitBrokers(nodes.size());
        LOG.info("Kafka cluster {} with {} node(s) ready at {} in {} ms", clusterId, nodes.size(), bootstrapServers(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private static void daemon(Runnable runnable, String name) {
        Thread t = new Thread(runnable, "embedded-kafka-" + name);
        t.setDaemon(true);
        t.start();
    }

    private void startServer(int node) {
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(configs.get(node), false), Time.SYSTEM);
        server.startup();
        synchronized (this) {
            servers[node] = server;
        }
    }

    private void await(CompletableFuture<?> future, String what) {
        try {
            future.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not " + what + " within " + startTimeout, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not " + what + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        }
    }

    private void awaitBrokers(int expected) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                int seen = admin().describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                if (seen >= expected) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.onSpinWait();
            try {
                TimeUnit.MILLISECONDS.sleep(50); // polling a broker that is starting; no event to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for brokers", e);
            }
        }
        throw new IllegalStateException("fewer than " + expected + " broker(s) registered within " + startTimeout, last);
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
        return nodes.size();
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
        checkNode(node);
        KafkaRaftServer server;
        synchronized (this) {
            server = servers[node];
            servers[node] = null;
        }
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            LOG.info("Kafka node {} stopped", node);
        }
    }

    /** Starts node {@code node} again, on the same ports and data. */
    public void start(int node) {
        checkNode(node);
        synchronized (this) {
            if (servers[node] != null) {
                return;
            }
        }
        await(CompletableFuture.runAsync(() -> startServer(node), runnable -> daemon(runnable, "restart-" + node)),
                "restart node " + node);
        LOG.info("Kafka node {} started again", node);
    }

    /** Whether node {@code node} runs. */
    public synchronized boolean isRunning(int node) {
        return servers[checkNode(node)] != null;
    }

    /** An admin client of this cluster, made once and closed with it. */
    public synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException("the cluster is closed");
        }
        if (admin == null) {
            Map<String, Object> config = clientConfig();
            config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
            admin = Admin.create(config);
        }
        return admin;
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
        if (node < 0 || node >= nodes.size()) {
            throw new IllegalArgumentException("node must be in [0, " + (nodes.size() - 1) + "], but was " + node);
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
        closeQuietly();
    }

    private void closeQuietly() {
        Admin a;
        synchronized (this) {
            a = admin;
            admin = null;
        }
        if (a != null) {
            a.close(Duration.ofSeconds(5));
        }
        proxies.forEach(FaultProxy::pass);
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (int i = 0; i < servers.length; i++) {
            KafkaRaftServer server;
            synchronized (this) {
                server = servers[i];
                servers[i] = null;
            }
            if (server != null) {
                stops.add(CompletableFuture.runAsync(() -> {
                    server.shutdown();
                    server.awaitShutdown();
                }, runnable -> daemon(runnable, "stop")));
            }
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Kafka cluster {} did not stop cleanly", clusterId, e);
        }
        proxies.forEach(FaultProxy::close);
        deleteRecursively(root);
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaCluster[" + nodes.size() + " node(s), " + bootstrapServers() + "]";
    }

    /** Options of an {@link EmbeddedKafkaCluster}. */
    public static final class Builder {
        private int nodes = 1;
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(60);

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

        /** How long the start may take before it fails (default 60 s). */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Starts the cluster and returns once every broker is registered. */
        public EmbeddedKafkaCluster start() {
            EmbeddedKafkaCluster cluster;
            try {
                cluster = new EmbeddedKafkaCluster(this);
            } catch (IOException e) {
                throw new UncheckedIOException("could not prepare the embedded Kafka cluster", e);
            }
            try {
                cluster.startAll();
                return cluster;
            } catch (RuntimeException | Error e) {
                cluster.close();
                throw e;
            }
        }
    }
}
