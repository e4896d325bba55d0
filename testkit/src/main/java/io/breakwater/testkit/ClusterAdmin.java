package io.breakwater.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** The admin client an embedded cluster owns: made on first use, closed with the cluster. */
final class ClusterAdmin implements AutoCloseable {

    private final Map<String, Object> clientConfig;
    // Both guarded by `this`.
    private Admin admin;
    private boolean closed;

    ClusterAdmin(Map<String, Object> clientConfig) {
        this.clientConfig = Map.copyOf(clientConfig);
    }

    synchronized Admin get() {
        if (closed) {
            throw new IllegalStateException("the cluster is closed");
        }
        if (admin == null) {
            Map<String, Object> config = new java.util.HashMap<>(clientConfig);
            config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
            admin = Admin.create(config);
        }
        return admin;
    }

    /** Returns once at least {@code expected} brokers are registered; fails after {@code timeout}. */
    void awaitBrokers(int expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (get().describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= expected) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50); // polling a broker that is starting; no event to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for brokers", e);
            }
        }
        throw new IllegalStateException("fewer than " + expected + " broker(s) registered within " + timeout, last);
    }

    /** Closes the client, if one was made. Idempotent; {@link #get()} fails afterwards. */
    @Override
    public void close() {
        Admin a;
        synchronized (this) {
            closed = true;
            a = admin;
            admin = null;
        }
        if (a != null) {
            a.close(Duration.ofSeconds(5));
        }
    }
}
