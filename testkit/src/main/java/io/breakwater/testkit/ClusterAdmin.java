package io.breakwater.testkit;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

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

    /** Creates {@code acls} and returns once a broker reports every one of them; fails after {@code timeout}. */
    void createAcls(Collection<AclBinding> acls, Duration timeout) {
        List<AclBinding> wanted = List.copyOf(acls);
        if (wanted.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            get().createAcls(wanted).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw failed("create " + wanted.size() + " ACL(s)", e);
        }
        awaitAcls(() -> aclsNow().containsAll(wanted), "the ACLs created to be in force", deadline, timeout);
    }

    /** Deletes the ACLs {@code filters} match and returns once a broker reports none of them; fails after {@code timeout}. */
    void deleteAcls(Collection<AclBindingFilter> filters, Duration timeout) {
        List<AclBindingFilter> which = List.copyOf(filters);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            get().deleteAcls(which).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw failed("delete ACL(s)", e);
        }
        awaitAcls(() -> aclsNow().stream().noneMatch(acl -> which.stream().anyMatch(f -> f.matches(acl))),
                "the ACLs deleted to be gone", deadline, timeout);
    }

    private Collection<AclBinding> aclsNow() throws Exception {
        return get().describeAcls(AclBindingFilter.ANY).values().get(5, TimeUnit.SECONDS);
    }

    private interface Check {
        boolean done() throws Exception;
    }

    private static void awaitAcls(Check check, String what, long deadline, Duration timeout) {
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.done()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            pause();
        }
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what, last);
    }

    private static IllegalStateException failed(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return new IllegalStateException("could not " + what + ": " + cause, cause);
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(50); // polling a broker's metadata; no event to wait on
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for ACLs", e);
        }
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
