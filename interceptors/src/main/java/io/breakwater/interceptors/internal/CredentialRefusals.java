package io.breakwater.interceptors.internal;

import io.breakwater.breaker.Throwables;
import io.breakwater.status.ClientSecrets;
import io.breakwater.status.JaasOptions;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A producer's credentials refused by the cluster ({@code SaslAuthenticationException}, any
 * {@code AuthenticationException}): a configuration error, not an outage. The first refusal is logged once at
 * ERROR, naming the principal (the {@code username} of {@code sasl.jaas.config}, read without the text ever
 * being shown) and never a password; every secret of the producer's properties is masked in the message of
 * the exception too. While the latest answer is a refusal, sends that block or wait are the refusal's:
 * Kafka's {@code send()} waits for the next attempt to authenticate ({@code reconnect.backoff.ms}, up to
 * {@code reconnect.backoff.max.ms}) before it fails again, and that wait says nothing about the cluster's health.
 *
 * <p>Thread-safe: the flags are atomic or volatile.
 */
public final class CredentialRefusals {

    private static final Logger LOG = LoggerFactory.getLogger(CredentialRefusals.class);

    private final String producer;
    private final String principal;
    private final ClientSecrets secrets;
    private final Consumer<String> errorLog;
    private final AtomicBoolean logged = new AtomicBoolean();
    // Whether the latest answer that said anything about the credentials was a refusal.
    private volatile boolean refusing;

    CredentialRefusals(String breaker, Map<String, ?> producerConfig, Consumer<String> errorLog) {
        Object clientId = producerConfig == null ? null : producerConfig.get(ProducerConfig.CLIENT_ID_CONFIG);
        this.producer = clientId == null || clientId.toString().isBlank() ? "the producer of breaker '" + breaker + "'"
                : "producer '" + Throwables.sanitize(clientId.toString()) + "' (breaker '" + breaker + "')";
        this.principal = principal(producerConfig);
        this.secrets = ClientSecrets.of(producerConfig);
        this.errorLog = errorLog;
    }

    /**
     * For the producer guarded by breaker {@code breaker}, whose properties are {@code producerConfig} (null when
     * unknown: the log then cannot name the principal).
     */
    public static CredentialRefusals of(String breaker, Map<String, ?> producerConfig) {
        return new CredentialRefusals(breaker, producerConfig, LOG::error);
    }

    /** Whether {@code failure} is the cluster refusing the client's credentials. */
    public static boolean isRefusal(Throwable failure) {
        return failure != null && Throwables.unwrap(failure) instanceof AuthenticationException;
    }

    /**
     * An answer failed with {@code failure}: true when it is a refusal of the credentials, which is then the latest
     * (and logged, the first time).
     */
    public boolean refused(Throwable failure) {
        if (!isRefusal(failure)) {
            return false;
        }
        refusing = true;
        if (logged.compareAndSet(false, true)) {
            try {
                errorLog.accept(message(Throwables.unwrap(failure)));
            } catch (RuntimeException e) {
                // Logging must never fail a send.
            }
        }
        return true;
    }

    /** The cluster answered otherwise (a success, or a failure that counts): the credentials are not what fails. */
    public void cleared() {
        refusing = false;
    }

    /** Whether the latest answer was a refusal of the credentials. */
    public boolean refusing() {
        return refusing;
    }

    /** Whether the ERROR was logged. */
    public boolean logged() {
        return logged.get();
    }

    String message(Throwable failure) {
        // Masked before Throwables.sanitize can cut a secret in two.
        String why = Throwables.sanitize(secrets.mask(failure.getClass().getName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage())));
        return "Kafka refused the credentials of " + producer + ", " + principal + ": " + why + ". This is a configuration "
                + "error, not an outage: each send fails with it at once, and the breaker does not count it. Fix the "
                + "credentials (sasl.jaas.config, or the keystore for SSL). Logged once per producer";
    }

    /** Who the producer authenticates as, from its properties, never showing a secret. */
    static String principal(Map<String, ?> config) {
        if (config == null) {
            return "principal unknown (the wrapper was built without the producer's properties: "
                    + "CircuitBreakerProducerBuilder.producerConfig)";
        }
        String protocol = setting(config, CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT").toUpperCase(Locale.ROOT);
        if (protocol.startsWith("SASL")) {
            String mechanism = setting(config, SaslConfigs.SASL_MECHANISM, SaslConfigs.DEFAULT_SASL_MECHANISM);
            String how = " (" + mechanism + " over " + protocol + ")";
            Object jaasConfig = config.get(SaslConfigs.SASL_JAAS_CONFIG);
            if (jaasConfig == null) {
                return "the principal of the JAAS login file (no sasl.jaas.config)" + how;
            }
            String name = JaasOptions.of(jaasConfig).user();
            return name == null ? "principal unknown (sasl.jaas.config names none that Kafka reads: no username, "
                    + "clientId or principal option)" + how : "principal '" + Throwables.sanitize(name) + "'" + how;
        }
        if (protocol.equals("SSL")) {
            return "the principal of the certificate in the keystore (SSL)";
        }
        return "no credentials (security.protocol=" + protocol + ")";
    }

    private static String setting(Map<String, ?> config, String key, String otherwise) {
        Object value = config.get(key);
        return value == null || value.toString().isBlank() ? otherwise : Throwables.sanitize(value.toString().trim());
    }
}
