package io.breakwater.transport.redpanda;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.interceptors.BreakwaterConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A transport's builder from producer properties: Kafka's keys for its producer, the {@code breakwater.*} keys for its breaker. */
final class TransportProperties {

    // breakwater.* keys that mean nothing to a transport (status publishing belongs to the EventBus), named without values.
    private static final List<String> NOT_FOR_A_TRANSPORT = List.of("breakwater.status.", "breakwater.state.",
            "breakwater.control.", BreakwaterConfig.INSTANCE_ID_CONFIG);

    private TransportProperties() {
    }

    static RedpandaTransport.Builder builder(Map<String, ?> producerProperties) {
        Objects.requireNonNull(producerProperties, "producerProperties");
        for (String key : producerProperties.keySet()) {
            if (NOT_FOR_A_TRANSPORT.stream().anyMatch(key::startsWith)) {
                throw new ConfigException("Configuration " + key + " does not apply to a RedpandaTransport: "
                        + "status publishing, restoring and control belong to the EventBus (EventBus.builder(transport)"
                        + ".statusPublisher(...), .controlFollower(...))");
            }
        }
        BreakwaterConfig bw = new BreakwaterConfig(producerProperties);
        Map<String, Object> props = new HashMap<>();
        producerProperties.forEach((key, value) -> {
            if (!key.startsWith(BreakwaterConfig.PREFIX)) {
                props.put(key, value);
            }
        });
        requireSerializer(props, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        requireSerializer(props, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, RedpandaTransport.DEFAULT_MAX_BLOCK_MS);
        boolean named = producerProperties.containsKey(BreakwaterConfig.BREAKER_NAME_CONFIG);
        CircuitBreakerConfig breakerConfig = bw.toBreakerConfig();
        RedpandaTransport.Builder builder = new RedpandaTransport.Builder(null, props)
                .breakerConfig(named ? breakerConfig : breakerConfig.withName(BreakerPresets.KAFKA_TRANSPORT_NAME))
                .sendBlockThreshold(bw.sendBlockThreshold())
                .inFlightThreshold(bw.inFlightThreshold())
                .sendQueueMaxRecords(bw.sendQueueMaxRecords());
        if (producerProperties.containsKey(BreakwaterConfig.SEND_NONBLOCKING_CONFIG)) {
            builder.nonBlocking(bw.sendNonBlocking());
        }
        return builder;
    }

    private static void requireSerializer(Map<String, Object> props, String key, Class<?> expected) {
        Object given = props.get(key);
        if (given != null && !expected.getName().equals(given instanceof Class ? ((Class<?>) given).getName() : given.toString())) {
            throw new IllegalArgumentException(key + " must be " + expected.getName()
                    + " (RedpandaTransport sends String keys and byte[] values; the codec makes the bytes), but was " + given);
        }
        props.put(key, expected);
    }
}
