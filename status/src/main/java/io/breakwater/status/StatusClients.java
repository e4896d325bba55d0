package io.breakwater.status;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.kafka.clients.ClientDnsLookup;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection and security settings a status client (publisher, reader, state store, control follower) takes over
 * from the producer it serves: {@code bootstrap.servers}, {@code security.protocol}, {@code sasl.*}, {@code ssl.*} and
 * the connection timings. Each {@value #OVERRIDE_PREFIX}{@code X} among them, for {@code X} =
 * {@code bootstrap.servers}, {@code security.protocol}, {@code sasl.*} or {@code ssl.*}, replaces the producer's
 * {@code X} for the status clients alone (an operations cluster, other credentials); a setting not overridden is the
 * producer's, and an empty override of a setting Kafka has no default for removes it. Sent to another cluster with the
 * producer's credentials (its {@code sasl.jaas.config}, its certificate), the status clients warn once. Where the host plugs its own class into the security layer (an {@code ssl.engine.factory.class}, a
 * SASL callback handler or login class), the keys that no Kafka client defines go along too, except
 * {@code breakwater.*}: such a class reads its own settings from them (Spring Boot's SSL bundle, for one).
 */
public final class StatusClients {

    /** The prefix of the settings that replace the producer's for the status clients. */
    public static final String OVERRIDE_PREFIX = "breakwater.status.";

    private static final String BOOTSTRAP_OVERRIDE = OVERRIDE_PREFIX + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
    private static final List<String> INHERITED_PREFIXES = List.of("sasl.", "ssl.");
    private static final List<String> INHERITED_KEYS = List.of(
            CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
            CommonClientConfigs.CLIENT_DNS_LOOKUP_CONFIG,
            CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG,
            CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG,
            CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG,
            CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG,
            CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG);
    // Classes plugged into the security layer, which Kafka configures with every key of the client's settings.
    private static final List<String> SECURITY_PLUGINS = List.of(SslConfigs.SSL_ENGINE_FACTORY_CLASS_CONFIG,
            SaslConfigs.SASL_CLIENT_CALLBACK_HANDLER_CLASS, SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS,
            SaslConfigs.SASL_LOGIN_CLASS);

    // The settings that present the client's certificate.
    private static final Set<String> CLIENT_CERTIFICATE = Set.of(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG,
            SslConfigs.SSL_KEYSTORE_KEY_CONFIG, SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG);
    // The bootstrap overrides already warned of (see warnOfCredentials): a few per JVM.
    private static final Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final Logger LOG = LoggerFactory.getLogger(StatusClients.class);

    private StatusClients() {
    }

    /**
     * The client settings of a status reader or state store given {@code clientConfig} (a producer's, say, whose
     * {@value #OVERRIDE_PREFIX}{@code *} overrides apply); {@code user} names it in errors.
     */
    public static Map<String, Object> of(Map<String, ?> clientConfig, String user) {
        java.util.Objects.requireNonNull(clientConfig, "client config");
        Object bootstrap = clientConfig.get(BOOTSTRAP_OVERRIDE);
        return bootstrap == null || bootstrap.toString().isBlank() ? inherit(clientConfig, null, null, user)
                : inherit(clientConfig, bootstrap.toString(), BOOTSTRAP_OVERRIDE, user);
    }

    /** Whether {@code key} is a security setting a status client takes over: {@code security.protocol}, {@code sasl.*}, {@code ssl.*}. */
    public static boolean isSecurityKey(String key) {
        return key.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG) || INHERITED_PREFIXES.stream().anyMatch(key::startsWith);
    }

    /** Whether {@code key} is {@value #OVERRIDE_PREFIX} followed by a {@linkplain #isSecurityKey security setting}. */
    public static boolean isSecurityOverride(String key) {
        return key.startsWith(OVERRIDE_PREFIX) && isSecurityKey(key.substring(OVERRIDE_PREFIX.length()));
    }

    // What ends the message when no bootstrap server is found, unless the caller names another switch.
    private static final String STATUS_OFF = "status publishing off with breakwater.status.enabled=false";

    /**
     * {@code bootstrap.servers} ({@code bootstrapOverride} if not blank, else the host's) plus the host's
     * security and connection settings, each replaced by its {@value #OVERRIDE_PREFIX} override where the host has one;
     * an override left empty removes a setting that has no default in Kafka (a callback handler, a JAAS config, a
     * keystore), and is kept as given for one that has (an empty {@code ssl.endpoint.identification.algorithm} turns
     * host name checks off). Fails at once with a {@code ConfigException} that names the key and {@code user} (such as
     * "the Breakwater status reader") when no usable bootstrap server is found. Warns once, naming keys and never
     * values, when the override sends the status clients to another cluster with the host's credentials unchanged.
     */
    public static Map<String, Object> inherit(Map<String, ?> host, String bootstrapOverride, String overrideKey, String user) {
        return inherit(host, bootstrapOverride, overrideKey, user, STATUS_OFF, LOG::warn);
    }

    /**
     * As above, for a client that another setting turns off: {@code offSwitch} ends the message when no bootstrap server
     * is found ("the control follower off with breakwater.control.enabled=false").
     */
    public static Map<String, Object> inherit(Map<String, ?> host, String bootstrapOverride, String overrideKey, String user,
                                              String offSwitch) {
        return inherit(host, bootstrapOverride, overrideKey, user, offSwitch, LOG::warn);
    }

    static Map<String, Object> inherit(Map<String, ?> host, String bootstrapOverride, String overrideKey, String user,
                                       Consumer<String> warn) {
        return inherit(host, bootstrapOverride, overrideKey, user, STATUS_OFF, warn);
    }

    private static Map<String, Object> inherit(Map<String, ?> host, String bootstrapOverride, String overrideKey,
                                               String user, String offSwitch, Consumer<String> warn) {
        java.util.Objects.requireNonNull(host, "client config");
        Map<String, Object> config = new HashMap<>();
        host.forEach((key, value) -> {
            if (INHERITED_KEYS.contains(key) || INHERITED_PREFIXES.stream().anyMatch(key::startsWith)) {
                config.put(key, value);
            }
        });
        Set<String> replaced = new HashSet<>();
        host.forEach((key, value) -> {
            if (isSecurityOverride(key)) { // wins over the host's, whatever the order
                String setting = key.substring(OVERRIDE_PREFIX.length());
                replaced.add(setting);
                if ((value == null || value.toString().isBlank()) && !hasDefault(setting)) {
                    config.remove(setting);
                } else {
                    config.put(setting, value);
                }
            }
        });
        if (SECURITY_PLUGINS.stream().anyMatch(k -> config.get(k) != null)) {
            host.forEach((key, value) -> {
                if (pluginSetting(key)) {
                    config.putIfAbsent(key, value);
                }
            });
        }
        boolean overridden = bootstrapOverride != null && !bootstrapOverride.isBlank();
        Object bootstrap = overridden ? bootstrapOverride : host.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        String key = overridden ? overrideKey : CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
        List<String> servers = servers(bootstrap);
        if (servers.isEmpty()) {
            throw new ConfigException(key, bootstrap, user + " needs bootstrap servers: set "
                    + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG + (overrideKey == null ? "" : " or " + overrideKey
                    + ", or turn " + offSwitch));
        }
        try {
            Object lookup = config.getOrDefault(CommonClientConfigs.CLIENT_DNS_LOOKUP_CONFIG,
                    ClientDnsLookup.USE_ALL_DNS_IPS.toString());
            ClientUtils.parseAndValidateAddresses(servers, lookup.toString());
        } catch (ConfigException e) {
            throw new ConfigException(key, bootstrap, "no usable bootstrap server for " + user + ": " + e.getMessage());
        }
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", servers));
        if (overridden && !Set.copyOf(servers).equals(Set.copyOf(servers(host.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG))))) {
            warnOfCredentials(config, replaced, key, servers, warn);
        }
        return config;
    }

    /**
     * Warns, once per address, when the status clients go to {@code servers} (another cluster) with credentials of
     * the host's that no override replaced: that cluster receives them (with SASL/PLAIN, the password itself).
     */
    private static void warnOfCredentials(Map<String, Object> config, Set<String> replaced, String overrideKey,
                                          List<String> servers, Consumer<String> warn) {
        String protocol = String.valueOf(config.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT"))
                .trim().toUpperCase(java.util.Locale.ROOT);
        Set<String> inherited = new TreeSet<>();
        for (String k : config.keySet()) {
            boolean sasl = protocol.startsWith("SASL") && k.startsWith("sasl.")
                    && (ClientSecrets.isSecret(k) || SECURITY_PLUGINS.contains(k));
            boolean certificate = protocol.endsWith("SSL") && CLIENT_CERTIFICATE.contains(k);
            if ((sasl || certificate) && !replaced.contains(k) && config.get(k) != null) {
                inherited.add(k);
            }
        }
        if (!inherited.isEmpty() && WARNED.add(String.join(",", servers))) {
            warn.accept(overrideKey + " sends the status clients to " + String.join(",", servers) + ", another cluster "
                    + "than the producer's, with the producer's credentials " + inherited + ": that cluster receives them "
                    + "(with SASL/PLAIN, the password itself). Give the status clients their own ("
                    + OVERRIDE_PREFIX + "sasl.jaas.config, " + OVERRIDE_PREFIX + "ssl.keystore.*), remove one with an "
                    + "empty " + OVERRIDE_PREFIX + "X, or repeat the producer's as " + OVERRIDE_PREFIX + "X if that "
                    + "cluster is to have them");
        }
    }

    /**
     * Whether a Kafka client gives {@code setting} a value of its own when it is not set; true when that cannot be
     * told (the empty value is then passed on as given, for Kafka to judge).
     */
    private static boolean hasDefault(String setting) {
        try {
            for (ConfigDef def : List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef())) {
                ConfigDef.ConfigKey key = def.configKeys().get(setting);
                if (key != null) {
                    return key.hasDefault() && key.defaultValue != null;
                }
            }
            return false;
        } catch (RuntimeException | LinkageError e) {
            return true;
        }
    }

    /** A key that no Kafka client defines, so a plug-in's own; Breakwater's keys aside. */
    private static boolean pluginSetting(String key) {
        return !key.startsWith("breakwater.") && !ProducerConfig.configNames().contains(key)
                && !ConsumerConfig.configNames().contains(key) && !AdminClientConfig.configNames().contains(key);
    }

    @SuppressWarnings("unchecked")
    private static List<String> servers(Object value) {
        if (value == null) {
            return List.of();
        }
        List<String> raw = value instanceof List ? (List<String>) value : Arrays.asList(value.toString().split(","));
        return raw.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
