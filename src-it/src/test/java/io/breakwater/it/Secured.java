package io.breakwater.it;

import io.breakwater.testkit.EmbeddedKafkaCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Helpers of the ITs on a secured cluster (SASL_SSL, SCRAM, ACLs): client properties, topics, a command-config file. */
final class Secured {

    private Secured() {
    }

    /** A producer's properties as {@code user}: SASL_SSL, String serializers, {@code acks=all}. */
    static Map<String, Object> producerProps(EmbeddedKafkaCluster kafka, String user) {
        Map<String, Object> props = new HashMap<>(kafka.clientConfig(user));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return props;
    }

    /**
     * Creates {@code topics} (one partition each) as the admin and writes one record to each, so that no later producer
     * meets a partition still being created (see {@link Records#createTopics}).
     */
    static void createTopics(EmbeddedKafkaCluster kafka, String... topics) throws Exception {
        for (String topic : topics) {
            kafka.createTopic(topic);
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(kafka, kafka.security()
                .orElseThrow().adminUser()))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (String topic : topics) {
                acks.add(producer.send(new ProducerRecord<>(topic, "prime", "prime")));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Every record of {@code topic} (one partition) read as the admin, until {@code count} have come or 30 s passed. */
    static List<ConsumerRecord<String, String>> read(EmbeddedKafkaCluster kafka, String topic, int count) {
        Map<String, Object> config = new HashMap<>(kafka.clientConfig());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Writes {@code client} as a Java properties file, as Kafka's tools take it with {@code --command-config}. */
    static Path commandConfig(Path dir, Map<String, Object> client) {
        Properties props = new Properties();
        client.forEach((k, v) -> {
            if (!k.equals("bootstrap.servers")) {
                props.setProperty(k, v.toString());
            }
        });
        Path file = dir.resolve("client.properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, "a secured cluster's client settings");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
