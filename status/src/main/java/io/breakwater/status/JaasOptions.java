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
    private static final JaasOptions NONE = new JaasOptions(Map.of(), List.of());
    // Words of a JAAS line that are never secrets: its control flags.
    private static final java.util.Set<String> FLAGS = java.util.Set.of("required", "requisite", "sufficient", "optional");

    private final Map<String, String> options;
    // The words of a line Kafka could not read: which of them is a password cannot be told, so each may be one.
    private final List<String> unreadWords;

    private JaasOptions(Map<String, String> options, List<String> unreadWords) {
        this.options = options;
        this.unreadWords = unreadWords;
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
            return new JaasOptions(Map.copyOf(options), List.of());
        } catch (RuntimeException | LinkageError e) {
            // Kafka's message may quote the text, a password included: it is dropped, not logged. Kafka's message
            // about the line may also quote a word of it (the part of a password after a stray quote, say), so
            // every word of the line but its login module and flags counts as a secret.
            return new JaasOptions(Map.of(), words(text));
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

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        String[] parts = text.trim().split("[\\s\"'=;]+");
        for (int i = 1; i < parts.length; i++) {   // the first is the login module's class
            // Shorter words would mask letters all over a message; a part of a password that short gives little away.
            if (parts[i].length() >= 3 && !FLAGS.contains(parts[i].toLowerCase(java.util.Locale.ROOT))) {
                words.add(parts[i]);
            }
        }
        return List.copyOf(words);
    }

    /**
     * The values of the options whose names say they are secrets ({@code password}, {@code clientSecret}...); for a
     * line Kafka cannot read, every word of it of three characters or more but its login module and flags (any may
     * be part of a password).
     */
    public List<String> secretValues() {
        List<String> secrets = new ArrayList<>(unreadWords);
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
