package io.breakwater.cli.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;

/** Checks that a cluster answers before anything else starts, so a wrong address fails fast and clearly. */
public final class Reachability {

    private Reachability() {
    }

    /** Thrown when the cluster does not answer; its message is meant for the user as it is. */
    public static final class UnreachableException extends Exception {
        private static final long serialVersionUID = 1L;

        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Returns the number of brokers, or fails within about {@code timeout} with a message that says why. */
    public static int check(String bootstrap, Duration timeout) throws UnreachableException {
        return check(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), timeout);
    }

    /** {@link #check(String, Duration)} with the client settings {@code client} (bootstrap and security). */
    public static int check(Map<String, Object> client, Duration timeout) throws UnreachableException {
        Object bootstrap = client.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        Map<String, Object> config = new java.util.HashMap<>(client);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 5_000));
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "breakwater-cli-check");
        Admin admin = null;
        try {
            admin = Admin.create(config);
            return admin.describeCluster().nodes().get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS).size();
        } catch (KafkaException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String why = root == e ? e.getMessage() : e.getMessage() + ": " + root.getMessage();
            throw new UnreachableException("Cannot use bootstrap server(s) '" + bootstrap + "': " + why, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new UnreachableException("Cannot reach Kafka at '" + bootstrap + "' within " + (timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms")
                    + ": no broker answered. Is it running, and is the address right?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("Interrupted while reaching " + bootstrap, e);
        } finally {
            if (admin != null) {
                admin.close(Duration.ZERO); // the default close waits out the requests still open
            }
        }
    }
}
