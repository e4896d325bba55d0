package io.breakwater.spring.internal;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.kafka.autoconfigure.SslBundleSslEngineFactory;
import org.springframework.boot.ssl.SslBundle;

/**
 * The client settings of Breakwater's own Kafka clients in a Boot application: where the application's producers
 * connect ({@code KafkaConnectionDetails}: bootstrap servers, security protocol, SSL bundle; {@code spring.kafka.*}
 * without one) and how they authenticate ({@code spring.kafka.security.*}, {@code spring.kafka.ssl.*},
 * {@code spring.kafka.properties.*}), never what identifies or shapes the application's own records. Immutable.
 */
public final class KafkaClientSettings {

    // What belongs to the application's own producers and records, not to a client of Breakwater's.
    private static final List<String> APPLICATION_ONLY = List.of(ProducerConfig.CLIENT_ID_CONFIG,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, ProducerConfig.INTERCEPTOR_CLASSES_CONFIG,
            ProducerConfig.PARTITIONER_CLASS_CONFIG, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);

    private final Map<String, Object> producer;
    private final String clientIdBase;

    private KafkaClientSettings(Map<String, Object> producer, String clientIdBase) {
        this.producer = producer;
        this.clientIdBase = clientIdBase;
    }

    /**
     * @param details Boot's connection details (a service connection's, or {@code spring.kafka.*}'s); null: the
     *        properties alone
     * @param applicationName names the clients when the application's producers have no {@code client.id}
     */
    public static KafkaClientSettings of(KafkaProperties kafka, KafkaConnectionDetails details, String applicationName) {
        Map<String, Object> props = new HashMap<>(kafka.buildProducerProperties());
        if (details != null) {
            KafkaConnectionDetails.Configuration connection = details.getProducer();
            props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, connection.getBootstrapServers());
            String protocol = connection.getSecurityProtocol();
            if (protocol != null && !protocol.isEmpty()) {
                props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
            }
            SslBundle bundle = connection.getSslBundle();
            if (bundle != null) {
                props.put(SslConfigs.SSL_ENGINE_FACTORY_CLASS_CONFIG, SslBundleSslEngineFactory.class);
                props.put(SslBundle.class.getName(), bundle);
            }
        }
        Object clientId = props.get(ProducerConfig.CLIENT_ID_CONFIG);
        String base = clientId != null && !clientId.toString().isBlank() ? clientId.toString() : applicationName;
        return new KafkaClientSettings(Collections.unmodifiableMap(props), base);
    }

    /** The settings the application's own producers get (what Boot's producer factory is made with). */
    public Map<String, Object> applicationProducer() {
        return producer;
    }

    /**
     * The status publisher's and reader's: connection and security. (The status clients keep only those anyway,
     * and name themselves {@code breakwater-status-<instance>}.)
     */
    public Map<String, Object> statusClients() {
        return withoutApplicationSettings();
    }

    /**
     * The RedpandaTransport's producer: the application's producer settings (connection, security, tuning) without
     * its client id, transactional id, interceptors, partitioner, serializers and {@code breakwater.*} keys (those
     * configure an interceptor of the application's producers); with String keys, byte[] values, and the client id
     * {@code <the application's client.id, or spring.application.name>-breakwater-transport}.
     */
    public Map<String, Object> transport() {
        Map<String, Object> props = withoutApplicationSettings();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientIdBase + "-breakwater-transport");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return props;
    }

    private Map<String, Object> withoutApplicationSettings() {
        Map<String, Object> props = new HashMap<>(producer);
        props.keySet().removeIf(key -> APPLICATION_ONLY.contains(key) || key.startsWith("breakwater."));
        return props;
    }
}
