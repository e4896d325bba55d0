package io.breakwater.cli.internal;

import io.breakwater.status.ClientSecrets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;

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
            throw new UnreachableException(notCreated(client, e), e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new UnreachableException(noAnswer(client, timeout, e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("Interrupted while reaching " + bootstrap, e);
        } finally {
            if (admin != null) {
                admin.close(Duration.ZERO); // the default close waits out the requests still open
            }
        }
    }

    /** Why no client could be made: the address, or else the settings of {@code --command-config} if there are any. */
    static String notCreated(Map<String, Object> client, KafkaException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root == e ? e.getMessage() : e.getMessage() + ": " + root.getMessage();
        boolean address = String.valueOf(root.getMessage()).contains("bootstrap");
        if (!address && client.keySet().stream().anyMatch(k -> !k.equals(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG))) {
            return "Cannot create a Kafka client with the settings of --command-config: " + sentence(hidingSecrets(client, why))
                    + ". Check security.protocol, sasl.* and ssl.* in that file.";
        }
        if (String.valueOf(root.getMessage()).startsWith("No resolvable bootstrap urls")) {
            return "Cannot resolve any host of --bootstrap-server '" + client.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)
                    + "'. Check the host names and this machine's DNS.";
        }
        return "Cannot use bootstrap server(s) '" + client.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + "': "
                + hidingSecrets(client, why);
    }

    /** {@code message} without its last full stop, to be followed by one of ours. */
    private static String sentence(String message) {
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    /**
     * Why the cluster did not answer: authentication failed, no address resolved, no broker answered within
     * {@code timeout}, or what answered refused to describe a cluster (a controller's port, another service).
     */
    static String noAnswer(Map<String, Object> client, Duration timeout, Exception e) {
        Object bootstrap = client.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException) {
                return "Cannot connect to Kafka at '" + bootstrap + "': authentication failed (TLS handshake or SASL): "
                        + t.getClass().getSimpleName() + ": " + sentence(hidingSecrets(client, String.valueOf(t.getMessage())))
                        + ". Check security.protocol, sasl.* and ssl.* in --command-config.";
            }
        }
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof java.util.concurrent.TimeoutException
                || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return "Cannot reach Kafka at '" + bootstrap + "' within " + DurationText.format(timeout)
                    + ": no broker answered. Is it running, and is the address right?";
        }
        String why = cause.getClass().getSimpleName() + (cause.getMessage() == null ? ""
                : ": " + sentence(hidingSecrets(client, cause.getMessage())));
        if (cause instanceof org.apache.kafka.common.errors.BootstrapResolutionException) {   // bootstrap.resolve.timeout.ms
            return "Cannot resolve bootstrap server(s) '" + bootstrap + "': " + why + ". Check that the host resolves.";
        }
        // Answered, but not as a broker does: a controller's or another service's port, or a cluster that refuses.
        return "Kafka at '" + bootstrap + "' did not describe its cluster: " + why + ". Is the address a broker's client "
                + "listener?";
    }

    /** {@code text} without the secrets of {@code client} (see {@link ClientSecrets}), should a message ever repeat one. */
    private static String hidingSecrets(Map<String, Object> client, String text) {
        return ClientSecrets.of(client).mask(String.valueOf(text));
    }
}
