package io.breakwater.interceptors.internal;

import io.breakwater.breaker.Clock;
import io.breakwater.breaker.Throwables;
import io.breakwater.status.ClientSecrets;
import io.breakwater.status.JaasOptions;
import java.time.Duration;
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
 * {@code AuthenticationException}): a configuration error, not an outage. A refusal is logged at ERROR, naming the
 * principal (the user name Kafka reads in {@code sasl.jaas.config}, the text never shown) and never a password; every
 * secret of the producer's properties is masked in the message of the exception too. It is logged once, and again
 * only after a send has succeeded (a password rotated days later is news). Shortly after a refusal, sends that block
 * or wait are the refusal's: Kafka's {@code send()} waits for the next attempt to authenticate
 * ({@code reconnect.backoff.ms}, growing to {@code reconnect.backoff.max.ms}, with 20 % jitter) before it fails again,
 * and that wait says nothing about the cluster's health. The excuse holds while the latest answer is a refusal, and
 * for at most {@link #excuse} after it: should the cluster go away after a refusal, its silence counts again.
 *
 * <p>Thread-safe: the flags are atomic or volatile.
 */
public final class CredentialRefusals {

    private static final Logger LOG = LoggerFactory.getLogger(CredentialRefusals.class);
    // Kafka's default reconnect.backoff.max.ms.
    private static final long DEFAULT_BACKOFF_MAX_MS = 1_000;

    private final String producer;
    private final String principal;
    private final ClientSecrets secrets;
    private final Clock clock;
    private final long excuseNanos;
    private final Consumer<String> errorLog;
    // Whether the ERROR was logged since the last success.
    private final AtomicBoolean logged = new AtomicBoolean();
    // When the latest refusal came (clock.nanoTime()), written before `refusing`.
    private volatile long refusedAt;
    // Whether the latest answer that said anything about the credentials was a refusal.
    private volatile boolean refusing;

    CredentialRefusals(String breaker, Map<String, ?> producerConfig, Clock clock, Duration threshold,
                       Consumer<String> errorLog) {
        Object clientId = producerConfig == null ? null : producerConfig.get(ProducerConfig.CLIENT_ID_CONFIG);
        this.producer = clientId == null || clientId.toString().isBlank() ? "the producer of breaker '" + breaker + "'"
                : "producer '" + Throwables.sanitize(clientId.toString()) + "' (breaker '" + breaker + "')";
        this.principal = principal(producerConfig);
        this.secrets = ClientSecrets.of(producerConfig);
        this.clock = clock;
        this.excuseNanos = excuse(producerConfig, threshold).toNanos();
        this.errorLog = errorLog;
    }

    /**
     * For the producer guarded by breaker {@code breaker}, whose properties are {@code producerConfig} (null when
     * unknown: the log then cannot name the principal), on {@code clock}; {@code thresholds} are how long a send may
     * block or wait for its answer before the guard judges it, of which the longest counts.
     */
    public static CredentialRefusals of(String breaker, Map<String, ?> producerConfig, Clock clock, Duration... thresholds) {
        Duration longest = Duration.ZERO;
        for (Duration threshold : thresholds) {
            longest = threshold.compareTo(longest) > 0 ? threshold : longest;
        }
        return new CredentialRefusals(breaker, producerConfig, clock, longest, LOG::error);
    }

    /**
     * How long after a refusal a send that waits is still the refusal's: the longest wait for Kafka's next attempt to
     * authenticate ({@code reconnect.backoff.max.ms}, default 1 s, or {@code reconnect.backoff.ms} if that is
     * longer, plus 20 % jitter), plus {@code threshold}.
     */
    static Duration excuse(Map<String, ?> producerConfig, Duration threshold) {
        long backoff = Math.max(millis(producerConfig, CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, DEFAULT_BACKOFF_MAX_MS),
                millis(producerConfig, CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG, 0));
        return Duration.ofMillis(backoff + backoff / 5).plus(threshold);
    }

    private static long millis(Map<String, ?> config, String key, long otherwise) {
        Object value = config == null ? null : config.get(key);
        try {
            return value == null ? otherwise : Math.max(0, Long.parseLong(value.toString().trim()));
        } catch (NumberFormatException e) {
            return otherwise; // Kafka refuses it when the producer is made
        }
    }

    /** Whether {@code failure} is the cluster refusing the client's credentials. */
    public static boolean isRefusal(Throwable failure) {
        return failure != null && Throwables.unwrap(failure) instanceof AuthenticationException;
    }

    /**
     * An answer failed with {@code failure}: true when it is a refusal of the credentials, which is then the latest
     * (and logged, the first time since the start or the last success).
     */
    public boolean refused(Throwable failure) {
        if (!isRefusal(failure)) {
            return false;
        }
        refusedAt = clock.nanoTime();
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

    /**
     * A send succeeded: the credentials work, and the next refusal is logged again. Each field is written only when it
     * changes: every acknowledgement comes here, on Kafka's network thread, and a volatile store is a full fence.
     */
    public void succeeded() {
        if (refusing) {
            refusing = false;
        }
        if (logged.get()) {
            logged.set(false);
        }
    }

    /** The cluster answered otherwise (a failure that counts, missing rights): the credentials are not what fails. */
    public void cleared() {
        refusing = false;
    }

    /** Whether the latest answer was a refusal of the credentials, at most {@link #excuse} ago. */
    public boolean refusing() {
        return refusing && clock.nanoTime() - refusedAt <= excuseNanos;
    }

    /** Whether the ERROR was logged since the last success. */
    public boolean logged() {
        return logged.get();
    }

    String message(Throwable failure) {
        // Masked before Throwables.sanitize can cut a secret in two.
        String why = Throwables.sanitize(secrets.mask(failure.getClass().getName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage())));
        return "Kafka refused the credentials of " + producer + ", " + principal + ": " + why + ". This is a configuration "
                + "error, not an outage: each send fails with it at once, and the breaker does not count it. Fix the "
                + "credentials (sasl.jaas.config, or the keystore for SSL). Logged again only after a send has succeeded";
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
