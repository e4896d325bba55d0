package io.breakwater.status.internal;

import io.breakwater.breaker.Throwables;
import io.breakwater.status.JaasOptions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a status publisher says of the sends it could not make: one log line each time the trouble changes (the cluster
 * does not answer; the publisher may not write the topic; it cannot log in), none for the retries of the same trouble,
 * and one when a send succeeds again. Keeps the last error, secrets masked, and counts the failed attempts. Written by
 * the publisher's thread; read from any.
 */
public final class SendErrors {

    /** The kinds of trouble, each logged once until a send succeeds or another kind comes. */
    enum Kind { UNREACHABLE, NOT_AUTHORIZED, NOT_AUTHENTICATED }

    private static final Logger LOG = LoggerFactory.getLogger(PublisherCore.class);

    private final String topic;
    private final String instanceId;
    private final String principal;
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastError;
    // What was logged since the last success; null: nothing. Confined to the publisher's thread.
    private Kind logged;

    public SendErrors(String topic, String instanceId, Map<String, ?> clientConfig) {
        this.topic = topic;
        this.instanceId = instanceId;
        this.principal = principal(clientConfig);
    }

    /**
     * The topic could not be checked: the cluster did not answer, or the login failed ({@code cause}, if known);
     * {@code held} events wait.
     */
    public void topicNotChecked(int held, Throwable cause) {
        if (cause instanceof AuthenticationException) {
            sendFailed(cause, held);
            return;
        }
        failures.incrementAndGet();
        lastError = "the cluster did not answer when the status topic was checked";
        if (logged == null) {
            LOG.warn("Status topic {} cannot be checked or created yet (the cluster does not answer); holding {} event(s) "
                    + "and retrying", topic, held);
            logged = Kind.UNREACHABLE;
        }
    }

    /** A send failed with {@code failure} (an {@code ExecutionException} is looked through); {@code held} events wait. */
    public void sendFailed(Throwable failure, int held) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        Kind kind = cause instanceof AuthorizationException ? Kind.NOT_AUTHORIZED
                : cause instanceof AuthenticationException ? Kind.NOT_AUTHENTICATED : Kind.UNREACHABLE;
        String described = Throwables.describe(cause);
        failures.incrementAndGet();
        lastError = described;
        if (kind == logged) {
            return;
        }
        logged = kind;
        switch (kind) {
            case NOT_AUTHORIZED -> LOG.error("Status publisher of instance {} may not write the status topic {}{} ({}). "
                    + "Grant it WRITE and DESCRIBE on the topic, or give the status clients other credentials "
                    + "(breakwater.status.sasl.jaas.config). The producer's own sends are not affected; {} status event(s) "
                    + "wait, the latest per breaker, and are retried every few seconds", instanceId, topic, as(), described,
                    held);
            case NOT_AUTHENTICATED -> LOG.error("Status publisher of instance {} cannot log in to the status topic's "
                    + "cluster{} ({}). Check breakwater.status.sasl.* and breakwater.status.ssl.* (or the producer's "
                    + "sasl.* and ssl.*, which they inherit). {} status event(s) wait and are retried every few seconds",
                    instanceId, as(), described, held);
            default -> LOG.warn("Status topic {} unreachable ({}); holding {} event(s) until it is back", topic, described, held);
        }
    }

    /** A send succeeded: says so if trouble was logged, and forgets the last error. */
    public void sent() {
        if (logged != null) {
            LOG.info("Status topic {} {}; publishing held events", topic,
                    logged == Kind.UNREACHABLE ? "reachable again" : "written again");
            logged = null;
        }
        lastError = null;
    }

    /** Why the last attempt failed, secrets masked; null after a success. */
    public String lastError() {
        return lastError;
    }

    /** Attempts that failed, since the start. */
    public long failures() {
        return failures.get();
    }

    private String as() {
        return principal == null ? "" : " as " + principal;
    }

    /**
     * {@code User:name} from the user name Kafka reads in {@code sasl.jaas.config} (see {@link JaasOptions#user()}),
     * {@code an unknown principal} when it names none, null without one; never anything else of that line.
     */
    static String principal(Map<String, ?> clientConfig) {
        Object jaas = clientConfig.get(SaslConfigs.SASL_JAAS_CONFIG);
        if (jaas == null) {
            return null;
        }
        String user = JaasOptions.of(jaas).user();
        return user == null ? "an unknown principal" : "User:" + Throwables.sanitize(user);
    }
}
