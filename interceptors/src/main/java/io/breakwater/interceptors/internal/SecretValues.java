package io.breakwater.interceptors.internal;

import io.breakwater.status.JaasOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;

/**
 * The secrets of a producer's properties (passwords, client secrets, private keys, and the secret options of
 * {@code sasl.jaas.config}), kept only to remove them from text before it is logged: a message of Kafka's or of
 * a broker is not ours, and should one ever repeat a secret, it is masked.
 */
public final class SecretValues {

    private static final String MASK = "****";

    private final List<String> secrets;

    private SecretValues(List<String> secrets) {
        this.secrets = secrets;
    }

    /** The secrets of {@code config} (a producer's properties; may be null). */
    public static SecretValues of(Map<String, ?> config) {
        List<String> secrets = new ArrayList<>();
        if (config != null) {
            config.forEach((key, value) -> {
                String k = key.toLowerCase(Locale.ROOT);
                if (k.contains("password") || k.contains("secret") || k.equals(SslConfigs.SSL_KEYSTORE_KEY_CONFIG)) {
                    add(secrets, text(value));
                }
            });
            JaasOptions jaas = JaasOptions.of(config.get(SaslConfigs.SASL_JAAS_CONFIG));
            add(secrets, text(config.get(SaslConfigs.SASL_JAAS_CONFIG)));
            jaas.secretValues().forEach(secret -> add(secrets, secret));
        }
        // Longest first, so that a secret that contains another is masked whole.
        secrets.sort(Comparator.comparingInt(String::length).reversed());
        return new SecretValues(List.copyOf(secrets));
    }

    private static void add(List<String> secrets, String value) {
        if (value != null && !value.isEmpty() && !secrets.contains(value)) {
            secrets.add(value);
        }
    }

    /** {@code text} with every secret replaced by {@code ****}. */
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

    /** The text of a config value: a String's, Kafka's {@code Password}'s own value, else {@code toString()}; null for null. */
    static String text(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof Password password ? password.value() : value.toString();
    }
}
