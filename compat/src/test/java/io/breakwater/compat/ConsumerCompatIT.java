package io.breakwater.compat;

import static io.breakwater.compat.Clients.newTopic;
import static io.breakwater.compat.Clients.unique;
import static io.breakwater.compat.Clients.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.consumer.ConsumerStats;
import io.breakwater.consumer.GatedConsumer;
import io.breakwater.testkit.ForkedKafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gated consumer on this release's KafkaConsumer: it handles records in order, pauses while its breaker is
 * open (no handler call, records waiting), resumes when it closes, commits exactly what it handled, and closes the
 * Kafka consumer, which leaves its group (kafka-clients before 4.1 have no {@code CloseOptions}).
 */
@ExtendWith(CompatBroker.class)
class ConsumerCompatIT {

    private static void produce(String bootstrap, String topic, int from, int to) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap, ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "r" + i)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void handlesEveryRecordOnceInOrderPausingWhileItsBreakerIsOpen(ForkedKafkaBroker broker) throws Exception {
        String bootstrap = broker.bootstrapServers();
        String topic = newTopic(bootstrap, "compat-consumer");
        String group = unique("compat-consumer");
        CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder(group).build());
        List<String> handled = new CopyOnWriteArrayList<>();
        List<String> handledWhileOpen = new CopyOnWriteArrayList<>();
        produce(bootstrap, topic, 0, 10);
        Map<String, Object> properties = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (GatedConsumer<String, String> consumer = GatedConsumer.builder(properties, new StringDeserializer(),
                        new StringDeserializer(), breaker)
                .topics(topic)
                .recordHandler(r -> {
                    if (breaker.state().rejectsCalls()) {
                        handledWhileOpen.add(r.value());
                    }
                    handled.add(r.value());
                })
                .build().start()) {
            within(30).until(() -> handled.size() == 10);

            breaker.forceOpen("compatibility test");
            within(10).until(() -> consumer.stats().paused());
            produce(bootstrap, topic, 10, 20);
            within(5).during(Duration.ofSeconds(1)).until(() -> handled.size() == 10);

            breaker.reset("compatibility test");
            within(30).until(() -> handled.size() == 20);
            assertThat(consumer.close(Duration.ofSeconds(10))).as("closed in time").isTrue();
            assertThat(consumer.failure()).isEmpty();
            assertThat(consumer.stats().state()).isEqualTo(ConsumerStats.State.CLOSED);
        }
        assertThat(handled).containsExactlyElementsOf(IntStream.range(0, 20).mapToObj(i -> "r" + i).toList());
        assertThat(handledWhileOpen).isEmpty();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .get(new TopicPartition(topic, 0)).offset()).as("committed").isEqualTo(20);
            assertThat(admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).members())
                    .as("the closed consumer left its group").isEmpty();
        }
    }
}
