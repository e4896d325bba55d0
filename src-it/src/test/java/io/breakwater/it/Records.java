package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Produce and consume helpers for the integration tests. */
final class Records {

    private Records() {
    }

    static Map<String, Object> producerConfig(String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return config;
    }

    static KafkaProducer<String, String> producer(String bootstrap, Map<String, Object> overrides) {
        Map<String, Object> config = producerConfig(bootstrap);
        config.putAll(overrides);
        return new KafkaProducer<>(config);
    }

    static KafkaConsumer<String, String> consumer(String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return new KafkaConsumer<>(config);
    }

    /** Sends {@code count} records keyed by {@code i % 16}, waits for every ack. */
    static void produce(String bootstrap, String topic, int count) throws Exception {
        try (KafkaProducer<String, String> producer = producer(bootstrap, Map.of())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(count);
            // The first record alone, so that a retry of it (a leader still moving in) has no batch in flight behind it.
            if (count > 0) {
                producer.send(new ProducerRecord<>(topic, "key-0", "0")).get(60, TimeUnit.SECONDS);
            }
            for (int i = 1; i < count; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, "key-" + (i % 16), Integer.toString(i))));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Reads records from the start of {@code topic} until {@code count} have come, or fails after 60 s. */
    static List<ConsumerRecord<String, String>> consume(String bootstrap, String topic, int count) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>(count);
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    /**
     * Creates {@code topics}, one partition and one replica each, and writes one record ({@code prime}) to
     * each, waiting for it (at most 30 s each step). The first write matters: an idempotent producer with
     * several requests in flight to a partition the broker has not finished creating can have the first
     * request refused (NOT_LEADER_OR_FOLLOWER) and a later one appended, after which its retries fail with
     * OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms (KAFKA-15591): that producer is stuck for 2 minutes.
     */
    static void createTopics(String bootstrap, java.util.Collection<String> topics) throws Exception {
        createTopics(bootstrap, topics, 1);
    }

    /** As {@link #createTopics(String, java.util.Collection)}, with {@code partitions} each, every one primed. */
    static void createTopics(String bootstrap, java.util.Collection<String> topics, int partitions) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(topics.stream()
                            .map(t -> new org.apache.kafka.clients.admin.NewTopic(t, partitions, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = producer(bootstrap, Map.of())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (String topic : topics) {
                for (int partition = 0; partition < partitions; partition++) {
                    acks.add(producer.send(new ProducerRecord<>(topic, partition, "prime", "prime")));
                }
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** How many records {@code topic} holds now: the sum of its partitions' end offsets. */
    static int countOnTopic(org.apache.kafka.clients.admin.Admin admin, String topic) throws Exception {
        var description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
        description.partitions().forEach(p -> latest.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()),
                org.apache.kafka.clients.admin.OffsetSpec.latest()));
        long total = 0;
        for (var info : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values()) {
            total += info.offset();
        }
        return (int) total;
    }

    /** Produces {@code count} records and reads them all back, in order within each key. */
    static void roundTrip(String bootstrap, String topic, int count) throws Exception {
        produce(bootstrap, topic, count);
        List<ConsumerRecord<String, String>> records = consume(bootstrap, topic, count);
        assertThat(records).hasSize(count);
        Map<String, Integer> lastByKey = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            int value = Integer.parseInt(r.value());
            Integer previous = lastByKey.put(r.key(), value);
            if (previous != null) {
                assertThat(value).as("order within key %s", r.key()).isGreaterThan(previous);
            }
        }
        assertThat(records.stream().map(ConsumerRecord::value).distinct().count()).isEqualTo(count);
    }
}
