package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A forked broker secured as the embedded one is: SCRAM users formatted in its own JVM (a password of odd characters,
 * a line break among them, through the file of formatter arguments), the ACLs.
 */
class SecuredForkedBrokerTest {

    @Test
    void aForkedSecuredBrokerAuthenticatesAndAuthorizes() throws Exception {
        KafkaSecurity security = KafkaSecurity.builder().user("app", "app, s3cr=t \"[x]\"\\\n;")
                .allowTopic("app", "allowed", AclOperation.WRITE, AclOperation.DESCRIBE).build();
        try (ForkedKafkaBroker broker = ForkedKafkaBroker.builder().secured(security).heapMegabytes(256).start()) {
            broker.admin().createTopics(List.of(new NewTopic("allowed", 1, (short) 1), new NewTopic("denied", 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            assertThat(broker.clientConfig()).containsEntry("security.protocol", "SASL_SSL");
            send(broker, "allowed");
            assertThatThrownBy(() -> send(broker, "denied"))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    private static void send(ForkedKafkaBroker broker, String topic) throws Exception {
        Map<String, Object> config = new HashMap<>(broker.clientConfig("app"));
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
        }
    }
}
