package io.breakwater.status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;

/**
 * The secrets among a Kafka client's settings, kept only to remove them from text before it is shown: a message of
 * Kafka's or of a broker is not ours, and should one ever repeat a secret, it is masked. A setting is a secret when
 * Kafka's producer, consumer or admin client defines it as a password ({@code ssl.key.password},
 * {@code sasl.jaas.config}, {@code sasl.oauthbearer.assertion.private.key.passphrase}...), also after
 * {@value StatusClients#OVERRIDE_PREFIX}, or when its name says so (for settings of plug-ins Kafka does not know);
 * the secret options of {@code sasl.jaas.config} (its {@code password}, {@code clientSecret}) are secrets on their
 * own too. Immutable.
 */
public final class ClientSecrets {

    private static final String MASK = "****";
    // Kafka's password settings as of kafka-clients 4.4, for clients of older releases that do not define them all.
    private static final Set<String> KNOWN_PASSWORDS = Set.of("sasl.jaas.config", "ssl.key.password", "ssl.keystore.key",
            "ssl.keystore.password", "ssl.truststore.password", "ssl.keystore.certificate.chain",
            "ssl.truststore.certificates", "sasl.oauthbearer.client.credentials.client.secret",
            "sasl.oauthbearer.assertion.private.key.passphrase");
    private static final Set<String> PASSWORDS = passwordSettings();
    // Names of secrets among settings and JAAS options Kafka does not define.
    private static final Pattern SECRET_NAME = Pattern.compile("password|passwd|passphrase|secret|private[._-]?key|api[._-]?key");

    private final List<String> secrets;

    private ClientSecrets(List<String> secrets) {
        this.secrets = secrets;
    }

    /** Whether the setting {@code key} holds a secret (see the class comment). */
    public static boolean isSecret(String key) {
        if (key == null) {
            return false;
        }
        String k = key.startsWith(StatusClients.OVERRIDE_PREFIX) ? key.substring(StatusClients.OVERRIDE_PREFIX.length()) : key;
        return PASSWORDS.contains(k) || secretName(k);
    }

    /** Whether a setting's or a JAAS option's name says it holds a secret ({@code password}, {@code clientSecret}...). */
    static boolean secretName(String name) {
        return SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).find();
    }

    /** The secrets of {@code config} (a client's settings; may be null). */
    public static ClientSecrets of(Map<String, ?> config) {
        List<String> secrets = new ArrayList<>();
        if (config != null) {
            config.forEach((key, value) -> {
                if (isSecret(key)) {
                    add(secrets, text(value));
                }
            });
            for (String key : List.of(SaslConfigs.SASL_JAAS_CONFIG, StatusClients.OVERRIDE_PREFIX + SaslConfigs.SASL_JAAS_CONFIG)) {
                JaasOptions.of(config.get(key)).secretValues().forEach(secret -> add(secrets, secret));
            }
        }
        // Longest first, so that a secret that contains another is masked whole.
        secrets.sort(Comparator.comparingInt(String::length).reversed());
        return new ClientSecrets(List.copyOf(secrets));
    }

    /** {@code text} with every secret replaced by {@code ****}; null for null. */
    public String mask(String text) {
        if (text == null) {
            return null;
        }
        String masked = text;
        for (String secret : secrets) {
            masked = masked.replace(secret, MASK);
        }
        return masked;
    }

    /** How many secrets there are, never what they are. */
    @Override
    public String toString() {
        return "ClientSecrets[" + secrets.size() + "]";
    }

    private static void add(List<String> secrets, String value) {
        if (value != null && !value.isEmpty() && !secrets.contains(value)) {
            secrets.add(value);
        }
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof Password password ? password.value() : value.toString();
    }

    /** The password settings of the kafka-clients on the class path, and those of 4.4 in any case. */
    private static Set<String> passwordSettings() {
        Set<String> keys = new HashSet<>(KNOWN_PASSWORDS);
        try {
            for (ConfigDef def : List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef())) {
                def.configKeys().forEach((name, key) -> {
                    if (key.type == ConfigDef.Type.PASSWORD) {
                        keys.add(name);
                    }
                });
            }
        } catch (RuntimeException | LinkageError e) {
            // A release without one of these: the list above and the names are all there is to go by.
        }
        return Set.copyOf(keys);
    }
}
