package io.breakwater.spring.internal;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;

/** The client settings Breakwater's own producers take from {@code spring.kafka.*}. Stateless. */
public final class KafkaClientSettings {

    private KafkaClientSettings() {
    }

    /**
     * Spring Kafka's producer settings (bootstrap servers, security, SSL, {@code spring.kafka.properties} and
     * {@code spring.kafka.producer.properties}), with the transport's serializers and without what belongs to the
     * application's own template: its transactional id and its serializers.
     */
    public static Map<String, Object> producer(KafkaProperties kafka) {
        Map<String, Object> props = new HashMap<>(kafka.buildProducerProperties());
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return props;
    }
}
