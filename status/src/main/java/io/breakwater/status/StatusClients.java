package io.breakwater.status;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.ClientDnsLookup;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The connection and security settings a status client takes over from the producer it serves: {@code bootstrap.servers},
 * {@code security.protocol}, {@code sasl.*}, {@code ssl.*} and the connection timings. Where the host plugs its own
 * class into the security layer (an {@code ssl.engine.factory.class}, a SASL callback handler or login class), the
 * keys that no Kafka client defines go along too, except {@code breakwater.*}: such a class reads its own settings
 * from them (Spring Boot's SSL bundle, for one).
 */
public final class StatusClients {

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

    private StatusClients() {
    }

    /** The client settings of a status reader or state store given {@code clientConfig}; {@code user} names it in errors. */
    public static Map<String, Object> of(Map<String, ?> clientConfig, String user) {
        return inherit(clientConfig, null, null, user);
    }

    /**
     * {@code bootstrap.servers} ({@code bootstrapOverride} if not blank, else the host's) plus the host's
     * security and connection settings. Fails at once with a {@code ConfigException} that names the key and
     * {@code user} (such as "the Breakwater status reader") when no usable bootstrap server is found.
     */
    public static Map<String, Object> inherit(Map<String, ?> host, String bootstrapOverride, String overrideKey, String user) {
        java.util.Objects.requireNonNull(host, "client config");
        Map<String, Object> config = new HashMap<>();
        boolean plugins = SECURITY_PLUGINS.stream().anyMatch(k -> host.get(k) != null);
        for (Map.Entry<String, ?> e : host.entrySet()) {
            String key = e.getKey();
            if (INHERITED_KEYS.contains(key) || INHERITED_PREFIXES.stream().anyMatch(key::startsWith)
                    || plugins && pluginSetting(key)) {
                config.put(key, e.getValue());
            }
        }
        boolean overridden = bootstrapOverride != null && !bootstrapOverride.isBlank();
        Object bootstrap = overridden ? bootstrapOverride : host.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        String key = overridden ? overrideKey : CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
        List<String> servers = servers(bootstrap);
        if (servers.isEmpty()) {
            throw new ConfigException(key, bootstrap, user + " needs bootstrap servers: set "
                    + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG + (overrideKey == null ? "" : " or " + overrideKey
                    + ", or turn status publishing off with breakwater.status.enabled=false"));
        }
        try {
            Object lookup = config.getOrDefault(CommonClientConfigs.CLIENT_DNS_LOOKUP_CONFIG,
                    ClientDnsLookup.USE_ALL_DNS_IPS.toString());
            ClientUtils.parseAndValidateAddresses(servers, lookup.toString());
        } catch (ConfigException e) {
            throw new ConfigException(key, bootstrap, "no usable bootstrap server for " + user + ": " + e.getMessage());
        }
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", servers));
        return config;
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
