package io.breakwater.compat;

import static io.breakwater.compat.Clients.newTopic;
import static io.breakwater.compat.Clients.producerConfig;
import static io.breakwater.compat.Clients.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.interceptors.CircuitBreakerProducer;
import io.breakwater.testkit.ForkedKafkaBroker;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Transactions through the wrapper, with each offset form this release's {@code Producer} declares: the
 * {@code ConsumerGroupMetadata} one everywhere, and the group id one of 3.x, called as code built against
 * 3.x calls it (through the interface). From 4.0 the group id form is refused, naming the version.
 */
@ExtendWith(CompatBroker.class)
class TransactionCompatIT {

    @Test
    @SuppressWarnings("deprecation")
    void transactionsAndEveryOffsetFormOfThisReleaseGoThroughTheWrapper(ForkedKafkaBroker broker) throws Exception {
        String bootstrap = broker.bootstrapServers();
        String topic = newTopic(bootstrap, "compat-tx");
        String group = unique("compat-group");
        TopicPartition consumed = new TopicPartition(topic, 0);
        Method groupIdForm = groupIdForm();
        Map<String, Object> config = producerConfig(bootstrap, unique("compat-tx"));
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, unique("compat-tx"));
        long expectedOffset;
        try (CircuitBreakerProducer<String, String> producer = CircuitBreakerProducer.wrap(new KafkaProducer<>(config), config);
             KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap, group, true)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "tx-1"));
            producer.sendOffsetsToTransaction(Map.of(consumed, new OffsetAndMetadata(1)), consumer.groupMetadata());
            producer.commitTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "tx-2"));
            if (groupIdForm != null) {
                groupIdForm.invoke(producer, Map.of(consumed, new OffsetAndMetadata(2)), group);
                expectedOffset = 2;
            } else {
                assertThatThrownBy(() -> producer.sendOffsetsToTransaction(Map.of(consumed, new OffsetAndMetadata(2)), group))
                        .isInstanceOf(UnsupportedOperationException.class)
                        .hasMessageContaining("kafka-clients " + ClientVersionIT.UNDER_TEST);
                expectedOffset = 1;
            }
            producer.commitTransaction();

            // Delegated where this release has metric subscription (4.0+), skipped where it has none.
            KafkaMetric metric = (KafkaMetric) producer.metrics().values().iterator().next();
            producer.registerMetricForSubscription(metric);
            producer.unregisterMetricFromSubscription(metric);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(committed.get(consumed).offset()).isEqualTo(expectedOffset);
        }
        assertThat(Clients.consume(bootstrap, topic, true, records -> records.size() >= 2).stream().map(ConsumerRecord::value))
                .containsExactly("tx-1", "tx-2");
    }

    /** {@code Producer.sendOffsetsToTransaction(Map, String)}: declared up to kafka-clients 3.9, gone in 4.0. */
    private static Method groupIdForm() {
        try {
            return Producer.class.getMethod("sendOffsetsToTransaction", Map.class, String.class);
        } catch (NoSuchMethodException e) {
            assertThat(ClientVersionIT.UNDER_TEST).as("only 4.x dropped the group id form").startsWith("4.");
            return null;
        }
    }
}
