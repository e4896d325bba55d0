package io.breakwater.status;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;

/**
 * The options of a client's {@code sasl.jaas.config} ({@code LoginModule flag name=value ... ;}), read by Kafka's own
 * parser, the one the client logs in with: so the user name Breakwater logs is the one Kafka sends, whatever the
 * quotes ({@code "} or {@code '}), escapes, comments, line breaks or repeated options (the last one counts). Text
 * Kafka cannot read gives no options: neither Kafka's exception nor its message (which may quote the text) goes
 * anywhere. Immutable.
 */
public final class JaasOptions {

    /** The options that name who logs in, in the order they are looked for: SCRAM and PLAIN, OAUTHBEARER, Kerberos. */
    private static final List<String> USER_OPTIONS = List.of("username", "clientId", "principal");
    private static final JaasOptions NONE = new JaasOptions(Map.of());

    private final Map<String, String> options;

    private JaasOptions(Map<String, String> options) {
        this.options = options;
    }

    /**
     * The options of {@code jaasConfig}: a String, or Kafka's {@code Password}; none for null, for text Kafka cannot
     * read, and for more than one login module (which Kafka refuses too). Never throws.
     */
    public static JaasOptions of(Object jaasConfig) {
        String text = jaasConfig instanceof Password password ? password.value()
                : jaasConfig == null ? null : jaasConfig.toString();
        if (text == null || text.isBlank()) {
            return NONE;
        }
        try {
            List<AppConfigurationEntry> entries = JaasContext.loadClientContext(
                    Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(text))).configurationEntries();
            Map<String, String> options = new HashMap<>();
            entries.get(0).getOptions().forEach((name, value) -> {
                if (name != null && value != null) {
                    options.put(name, value.toString());
                }
            });
            return new JaasOptions(Map.copyOf(options));
        } catch (RuntimeException | LinkageError e) {
            // Kafka's message may quote the text, a password included: it is dropped, not logged.
            return NONE;
        }
    }

    /** The value of option {@code name}, or null. */
    public String get(String name) {
        return options.get(name);
    }

    /**
     * Who logs in: the first of the options {@code username} (SCRAM, PLAIN), {@code clientId} (OAUTHBEARER) and
     * {@code principal} (Kerberos) that is set and not blank; null when none is (or the text cannot be read).
     */
    public String user() {
        for (String option : USER_OPTIONS) {
            String value = options.get(option);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    /** The values of the options whose names say they are secrets ({@code password}, {@code clientSecret}...). */
    public List<String> secretValues() {
        List<String> secrets = new ArrayList<>();
        options.forEach((name, value) -> {
            if (ClientSecrets.secretName(name)) {
                secrets.add(value);
            }
        });
        return secrets;
    }

    /** The option names, never their values. */
    @Override
    public String toString() {
        return "JaasOptions" + new java.util.TreeSet<>(options.keySet());
    }
}
