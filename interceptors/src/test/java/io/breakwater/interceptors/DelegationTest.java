package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreaker;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.junit.jupiter.api.Test;

/**
 * Every method of Kafka's {@link Producer} reaches the delegate. {@link RecordingProducer} implements the
 * whole interface, so a Kafka upgrade that adds an abstract method breaks this file; the reflection test
 * catches one added with a default body, which the wrapper would otherwise not delegate.
 */
class DelegationTest {

    static final class RecordingProducer implements Producer<String, String> {
        final List<String> calls = new ArrayList<>();

        @Override
        public void initTransactions() {
            calls.add("initTransactions");
        }

        @Override
        public void beginTransaction() {
            calls.add("beginTransaction");
        }

        @Override
        public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata metadata) {
            calls.add("sendOffsetsToTransaction");
        }

        @Override
        public void commitTransaction() {
            calls.add("commitTransaction");
        }

        @Override
        public void abortTransaction() {
            calls.add("abortTransaction");
        }

        @Override
        public void registerMetricForSubscription(KafkaMetric metric) {
            calls.add("registerMetricForSubscription");
        }

        @Override
        public void unregisterMetricFromSubscription(KafkaMetric metric) {
            calls.add("unregisterMetricFromSubscription");
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<String, String> record) {
            calls.add("send/1");
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<String, String> record, Callback callback) {
            calls.add("send/2");
            callback.onCompletion(new RecordMetadata(new TopicPartition(record.topic(), 0), 0, 0, 0, 1, 1), null);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void flush() {
            calls.add("flush");
        }

        @Override
        public List<PartitionInfo> partitionsFor(String topic) {
            calls.add("partitionsFor");
            return List.of();
        }

        @Override
        public Map<MetricName, ? extends Metric> metrics() {
            calls.add("metrics");
            return Map.of();
        }

        @Override
        public Uuid clientInstanceId(Duration timeout) {
            calls.add("clientInstanceId");
            return Uuid.ZERO_UUID;
        }

        @Override
        public void close() {
            calls.add("close/0");
        }

        @Override
        public void close(Duration timeout) {
            calls.add("close/1");
        }
    }

    @Test
    void everyMethodDelegates() {
        RecordingProducer recording = new RecordingProducer();
        CircuitBreakerProducer<String, String> wrapper =
                CircuitBreakerProducer.builder(recording).breaker(CircuitBreaker.ofDefaults("delegation")).watchdog(false).build();
        wrapper.initTransactions();
        wrapper.beginTransaction();
        wrapper.sendOffsetsToTransaction(Map.of(), new ConsumerGroupMetadata("g"));
        wrapper.commitTransaction();
        wrapper.abortTransaction();
        wrapper.registerMetricForSubscription(null);
        wrapper.unregisterMetricFromSubscription(null);
        wrapper.send(new ProducerRecord<>("t", "v"));
        wrapper.flush();
        wrapper.partitionsFor("t");
        wrapper.metrics();
        wrapper.clientInstanceId(Duration.ofSeconds(1));
        wrapper.close(Duration.ofSeconds(1));
        wrapper.close();
        assertThat(recording.calls).containsExactly("initTransactions", "beginTransaction", "sendOffsetsToTransaction",
                "commitTransaction", "abortTransaction", "registerMetricForSubscription", "unregisterMetricFromSubscription",
                "send/2", "flush", "partitionsFor", "metrics", "clientInstanceId", "close/1", "close/0");
    }

    @Test
    @SuppressWarnings("deprecation")
    void kafkaThreesGroupIdFormIsRefusedOnKafkaClientsFourNamingTheVersion() {
        RecordingProducer recording = new RecordingProducer();
        CircuitBreakerProducer<String, String> wrapper =
                CircuitBreakerProducer.builder(recording).breaker(CircuitBreaker.ofDefaults("group-id-form")).watchdog(false).build();
        assertThatThrownBy(() -> wrapper.sendOffsetsToTransaction(Map.of(), "orders-group"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("sendOffsetsToTransaction(Map, String) is not part of kafka-clients " + KafkaClientVersion.current()
                        + " (Kafka removed it in 4.0): use sendOffsetsToTransaction(Map, ConsumerGroupMetadata)");
        assertThat(recording.calls).isEmpty();
    }

    @Test
    void theWrapperAlsoAnswersTheMethodsOfOlderProducerInterfaces() throws Exception {
        // Producer of kafka-clients 3.7 to 3.9 declares every method of 4.4's but for the metric subscription ones,
        // and this one more (javap of each jar; the compat ITs check each release's interface as it runs).
        Method groupIdForm = CircuitBreakerProducer.class.getMethod("sendOffsetsToTransaction", Map.class, String.class);
        assertThat(groupIdForm.getDeclaringClass()).isEqualTo(ForwardingProducer.class);
        assertThat(Modifier.isAbstract(groupIdForm.getModifiers())).isFalse();
    }

    @Test
    void theWrapperImplementsEveryMethodOfTheProducerInterface() throws Exception {
        for (Method method : Producer.class.getMethods()) {
            if (Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            Method own = CircuitBreakerProducer.class.getMethod(method.getName(), method.getParameterTypes());
            assertThat(own.getDeclaringClass()).as("%s must be implemented, not inherited as a default", method)
                    .isIn(CircuitBreakerProducer.class, ForwardingProducer.class);
        }
    }
}
