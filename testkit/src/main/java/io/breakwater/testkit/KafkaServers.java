package io.breakwater.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
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

    /** Starts every node, each from its config, and returns once all have started. */
    static KafkaServers startAll(List<KafkaNode> nodes, List<Properties> configs, Duration timeout) {
        KafkaServers servers = new KafkaServers(nodes, configs);
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            int node = i;
            starts.add(CompletableFuture.runAsync(() -> servers.startServer(node), runnable -> daemon(runnable, "start-" + node)));
        }
        try {
            await(CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)), "start " + nodes.size() + " node(s)", timeout);
        } catch (RuntimeException e) {
            servers.stopAll();
            throw e;
        }
        return servers;
    }

    private void startServer(int node) {
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(configs.get(node), false), Time.SYSTEM);
        server.startup();
        synchronized (this) {
            running[node] = server;
        }
    }

    /** Shuts node {@code node} down (controlled shutdown); its ports and data stay for {@link #start}. */
    void stop(int node) {
        KafkaRaftServer server;
        synchronized (this) {
            server = running[node];
            running[node] = null;
        }
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            LOG.info("Kafka node {} stopped", node);
        }
    }

    /** Starts node {@code node} again, on the same ports and data; nothing happens if it runs. */
    void start(int node, Duration timeout) {
        if (isRunning(node)) {
            return;
        }
        await(CompletableFuture.runAsync(() -> startServer(node), runnable -> daemon(runnable, "restart-" + node)),
                "restart node " + node, timeout);
        LOG.info("Kafka node {} started again", node);
    }

    synchronized boolean isRunning(int node) {
        return running[node] != null;
    }

    /** Stops every running node, all at once; logs what did not stop within a minute. */
    void stopAll() {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (int i = 0; i < running.length; i++) {
            KafkaRaftServer server;
            synchronized (this) {
                server = running[i];
                running[i] = null;
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
            LOG.warn("{} Kafka node(s) did not all stop within 60 s", stops.size(), e);
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
