package io.breakwater.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka servers of a cluster's nodes, in this JVM: started together (a combined node waits for a
 * quorum as it starts), then stopped and started one by one.
 */
final class KafkaServers {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaServers.class);

    /** How long after the start timeout a failed start may take to settle: its nodes shut down. */
    private static final Duration SETTLE = Duration.ofSeconds(30);

    static {
        // A broker that hits a fatal error calls Exit; in a test JVM that must be an exception, not System.exit.
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("embedded Kafka asked to exit(" + code + "): " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("embedded Kafka asked to halt(" + code + "): " + message);
        });
    }

    private final List<KafkaNode> nodes;
    private final List<Properties> configs;
    // Running servers by node index; null while stopped. Guarded by `this`.
    private final KafkaRaftServer[] running;

    private KafkaServers(List<KafkaNode> nodes, List<Properties> configs) {
        this.nodes = List.copyOf(nodes);
        this.configs = List.copyOf(configs);
        this.running = new KafkaRaftServer[nodes.size()];
    }

    /**
     * Starts every node, each from its config, and returns once all have started. If one fails, it waits
     * for the others to end their start (each gives up by its {@code server.max.startup.time.ms}), stops
     * those that started, and throws the first failure.
     */
    static KafkaServers startAll(List<KafkaNode> nodes, List<Properties> configs, Duration timeout) {
        KafkaServers servers = new KafkaServers(nodes, configs);
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            int node = i;
            starts.add(CompletableFuture.runAsync(() -> servers.startServer(node), runnable -> daemon(runnable, "start-" + node)));
        }
        try {
            await(CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)), "start " + nodes.size() + " node(s)",
                    timeout.plus(SETTLE));
        } catch (RuntimeException e) {
            starts.stream().filter(CompletableFuture::isCompletedExceptionally).map(KafkaServers::failure)
                    .filter(f -> f != e.getCause()).forEach(e::addSuppressed);
            servers.stopAll();
            throw e;
        }
        return servers;
    }

    private static Throwable failure(CompletableFuture<?> failed) {
        Throwable t = failed.handle((ignored, failure) -> failure).join();
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private void startServer(int node) {
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(configs.get(node), false), Time.SYSTEM);
        nodes.get(node).releasePorts(); // just before the broker binds them
        try {
            server.startup();
        } catch (RuntimeException | Error e) {
            // A node that failed half-way (its broker, say, after its controller) must not run on.
            shutDown(server, e);
            throw e;
        }
        synchronized (this) {
            running[node] = server;
        }
    }

    private static void shutDown(KafkaRaftServer server, Throwable startFailure) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException | Error e) {
            startFailure.addSuppressed(e);
        }
    }

    /**
     * Shuts node {@code node} down (controlled shutdown); its ports are held and its data stays for
     * {@link #start}.
     */
    void stop(int node) {
        KafkaRaftServer server;
        synchronized (this) {
            server = running[node];
            running[node] = null;
        }
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            nodes.get(node).holdPorts();
            LOG.info("Kafka node {} stopped", node);
        }
    }

    /** Starts node {@code node} again, on the same ports and data; nothing happens if it runs. */
    void start(int node, Duration timeout) {
        if (isRunning(node)) {
            return;
        }
        KafkaNode kafkaNode = nodes.get(node);
        try {
            await(CompletableFuture.runAsync(() -> startServer(node), runnable -> daemon(runnable, "restart-" + node)),
                    "restart node " + node, timeout.plus(SETTLE));
        } catch (RuntimeException e) {
            throw kafkaNode.restartFailed(e);
        }
        LOG.info("Kafka node {} started again", node);
    }

    synchronized boolean isRunning(int node) {
        return running[node] != null;
    }

    /**
     * Stops every running node, all at once, and frees the ports of all; logs what did not stop within a minute. The
     * nodes' brokers stop first, while every controller still runs: a combined node stops its broker, then its
     * controller, so nodes stopped each as a whole left the last broker waiting (up to 5 minutes) for a controlled
     * shutdown that the quorum, gone with the other nodes' controllers, could no longer approve.
     */
    void stopAll() {
        List<KafkaRaftServer> servers = new ArrayList<>();
        synchronized (this) {
            for (int i = 0; i < running.length; i++) {
                if (running[i] != null) {
                    servers.add(running[i]);
                    running[i] = null;
                }
            }
        }
        if (servers.size() > 1) {
            inParallel(servers, KafkaServers::stopBroker, "brokers");
        }
        inParallel(servers, server -> {
            server.shutdown();
            server.awaitShutdown();
        }, "nodes");
        nodes.forEach(KafkaNode::releasePorts);
    }

    private static void inParallel(List<KafkaRaftServer> servers, java.util.function.Consumer<KafkaRaftServer> stop,
                                   String what) {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (KafkaRaftServer server : servers) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            daemon(() -> {
                try {
                    stop.accept(server);
                    done.complete(null);
                } catch (RuntimeException | Error e) {
                    done.completeExceptionally(e);
                }
            }, "stop");
            stops.add(done);
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("{} Kafka {} did not all stop within 60 s", stops.size(), what, e);
        }
    }

    // The broker of a combined node alone (the server keeps it in a private field); where that fails, nothing: the
    // node's own shutdown stops it then.
    private static void stopBroker(KafkaRaftServer server) {
        try {
            java.lang.reflect.Field field = KafkaRaftServer.class.getDeclaredField("broker");
            field.setAccessible(true);
            scala.Option<?> broker = (scala.Option<?>) field.get(server);
            if (broker.isDefined()) {
                ((kafka.server.BrokerServer) broker.get()).shutdown(Duration.ofSeconds(50));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Could not stop a node's broker alone; the node stops as a whole", e);
        }
    }

    private static void await(CompletableFuture<?> future, String what, Duration timeout) {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not " + what + " within " + timeout, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not " + what + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        }
    }

    private static void daemon(Runnable runnable, String name) {
        Thread t = new Thread(runnable, "embedded-kafka-" + name);
        t.setDaemon(true);
        t.start();
    }
}
