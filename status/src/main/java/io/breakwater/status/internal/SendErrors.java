package io.breakwater.status.internal;

import io.breakwater.breaker.Throwables;
import io.breakwater.status.JaasOptions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * What a status publisher says of the sends it could not make: one log line for each kind of trouble (the cluster
 * does not answer; the publisher may not write the topic; it cannot log in) the first time it comes after a success,
 * none for its retries nor for its return after another kind, and one line when a send succeeds again. Keeps the last
 * error, secrets masked, and counts the failed attempts. Written by the publisher's thread; read from any.
 */
public final class SendErrors {

    /** The kinds of trouble, each logged once until a send succeeds. */
    enum Kind { UNREACHABLE, NOT_AUTHORIZED, NOT_AUTHENTICATED }

    /** Where the lines go: the publisher's logger, or a test's list. */
    interface Log {
        void log(Level level, String message);
    }

    private static final Logger LOG = LoggerFactory.getLogger(PublisherCore.class);
    // Causes looked through at most, in case a chain loops.
    private static final int MAX_CAUSES = 32;

    private final String topic;
    private final String instanceId;
    // Of the settings the producer was made with: a swap to newer ones (rotated credentials) changes it.
    private volatile String principal;
    private final Log log;
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastError;
    // The kinds logged since the last success. Confined to the publisher's thread.
    private final Set<Kind> logged = EnumSet.noneOf(Kind.class);
    // Whether trouble was logged before a swap to newer settings, since the last success. The publisher's thread's too.
    private boolean toldBeforeSwap;

    public SendErrors(String topic, String instanceId, Map<String, ?> clientConfig) {
        this(topic, instanceId, clientConfig, (level, message) -> LOG.atLevel(level).log(message));
    }

    SendErrors(String topic, String instanceId, Map<String, ?> clientConfig, Log log) {
        this.topic = topic;
        this.instanceId = instanceId;
        this.principal = principal(clientConfig);
        this.log = log;
    }

    /**
     * The topic could not be checked: the cluster did not answer, or the login failed ({@code cause}, if known);
     * {@code held} events wait.
     */
    public void topicNotChecked(int held, Throwable cause) {
        if (cause != null && kind(cause) == Kind.NOT_AUTHENTICATED) {
            sendFailed(cause, held);
            return;
        }
        failures.incrementAndGet();
        lastError = "the cluster did not answer when the status topic was checked";
        if (logged.add(Kind.UNREACHABLE)) {
            log.log(Level.WARN, "Status topic " + topic + " cannot be checked or created yet (the cluster does not "
                    + "answer); holding " + held + " event(s) and retrying");
        }
    }

    /**
     * The producer was made anew with {@code clientConfig} (a handle with newer settings came): lines name its principal
     * from now on, and each kind of trouble is told again, the first time it comes with these settings.
     */
    public void settingsChanged(Map<String, ?> clientConfig) {
        principal = principal(clientConfig);
        toldBeforeSwap |= !logged.isEmpty();   // the next success still says that the trouble is over
        logged.clear();
    }

    /**
     * The cluster refused {@code message} for itself ({@code why}: too large, say): it is dropped, and the events after
     * it go on. Logged each time: it is the only trace of an event that never reaches the topic.
     */
    public void refused(io.breakwater.status.StatusMessage message, Throwable why) {
        String kind = message instanceof io.breakwater.status.StatusEvent e ? e.kind().name()
                : ((io.breakwater.status.InstanceEvent) message).kind().name();
        log.log(Level.WARN, "Status publisher for " + topic + " dropped the " + kind.toLowerCase(java.util.Locale.ROOT)
                + " event (sequence " + message.sequence() + ") of " + message.key() + ": the cluster refuses that record ("
                + Throwables.describe(why) + "); the events after it go on");
    }

    /**
     * A send failed with {@code failure}; the first authorization or authentication error in its causes says what
     * kind of trouble it is (a failed TLS handshake is an {@code SslAuthenticationException} caused by the JDK's
     * {@code SSLHandshakeException}: a failed login); {@code held} events wait.
     */
    public void sendFailed(Throwable failure, int held) {
        Kind kind = kind(failure);
        String described = describe(failure, kind);
        failures.incrementAndGet();
        lastError = described;
        if (!logged.add(kind)) {
            return;
        }
        switch (kind) {
            case NOT_AUTHORIZED -> log.log(Level.ERROR, "Status publisher of instance " + instanceId + " may not write "
                    + "the status topic " + topic + as() + " (" + described + "). Grant it WRITE and DESCRIBE on the "
                    + "topic, or give the status clients other credentials (breakwater.status.sasl.jaas.config). The "
                    + "producer's own sends are not affected; " + held + " status event(s) wait, the latest per breaker, "
                    + "and are retried every few seconds");
            case NOT_AUTHENTICATED -> log.log(Level.ERROR, "Status publisher of instance " + instanceId + " cannot log "
                    + "in to the status topic's cluster" + as() + " (" + described + "). Check breakwater.status.sasl.* "
                    + "and breakwater.status.ssl.* (or the producer's sasl.* and ssl.*, which they inherit). " + held
                    + " status event(s) wait and are retried every few seconds");
            default -> log.log(Level.WARN, "Status topic " + topic + " unreachable (" + described + "); holding " + held
                    + " event(s) until it is back");
        }
    }

    /** A send succeeded: says so if trouble was logged, and forgets the last error and what was logged. */
    public void sent() {
        if (!logged.isEmpty() || toldBeforeSwap) {
            log.log(Level.INFO, "Status topic " + topic + " " + (logged.equals(EnumSet.of(Kind.UNREACHABLE)) && !toldBeforeSwap
                    ? "reachable again" : "written again") + "; publishing held events");
            logged.clear();
            toldBeforeSwap = false;
        }
        lastError = null;
    }

    /** The kind of trouble {@code failure} is: the first authorization or authentication error among its causes. */
    static Kind kind(Throwable failure) {
        Throwable t = failure;
        for (int i = 0; t != null && i < MAX_CAUSES; i++, t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthorizationException) {
                return Kind.NOT_AUTHORIZED;
            }
            if (t instanceof AuthenticationException) {
                return Kind.NOT_AUTHENTICATED;
            }
        }
        return Kind.UNREACHABLE;
    }

    /** The error that says what {@code kind} of trouble {@code failure} is, with its cause; secrets masked. */
    private static String describe(Throwable failure, Kind kind) {
        Throwable t = failure;
        for (int i = 0; kind != Kind.UNREACHABLE && i < MAX_CAUSES && t != null; i++, t = t.getCause()) {
            if (t instanceof AuthorizationException || t instanceof AuthenticationException) {
                Throwable cause = t.getCause();
                return Throwables.describe(t) + (cause == null || cause == t ? "" : "; " + Throwables.describe(cause));
            }
        }
        return Throwables.describe(failure.getCause() != null ? failure.getCause() : failure);
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
