package io.breakwater.interceptors;

import io.breakwater.interceptors.internal.ProducerMethods;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

/**
 * A {@link Producer} that hands every call to another one, unchanged. Extend it and override what you
 * want to change; {@link CircuitBreakerProducer} overrides {@code send} and {@code close}.
 *
 * <p>It answers every method of {@code Producer} in each kafka-clients release from 3.7 to 4.4, although
 * it is compiled against 4.4. What the delegate lacks (its release has no such method, or it was built
 * against an older one) fails with an {@link UnsupportedOperationException} that names the method and the
 * kafka-clients version in use; the metric subscription methods, which only feed Kafka's client telemetry,
 * are skipped instead.
 *
 * <p>Thread-safe as far as the delegate is: it keeps no state of its own beyond what it reads at construction.
 */
public abstract class ForwardingProducer<K, V> implements Producer<K, V> {

    private final Producer<K, V> delegate;
    // Whether the delegate has these methods (kafka-clients 4.0+, 3.7+); read once, never changed.
    private final boolean delegatesMetricSubscription;
    private final boolean delegatesClientInstanceId;

    protected ForwardingProducer(Producer<K, V> delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.delegatesMetricSubscription = ProducerMethods.implemented(delegate, "registerMetricForSubscription", KafkaMetric.class)
                && ProducerMethods.implemented(delegate, "unregisterMetricFromSubscription", KafkaMetric.class);
        this.delegatesClientInstanceId = ProducerMethods.implemented(delegate, "clientInstanceId", Duration.class);
    }

    /** The producer every call goes to. */
    public Producer<K, V> delegate() {
        return delegate;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record) {
        return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
        return delegate.send(record, callback);
    }

    @Override
    public void initTransactions() {
        delegate.initTransactions();
    }

    @Override
    public void beginTransaction() {
        delegate.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
        delegate.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    /**
     * Kafka 3.x's form, which its {@code Producer} declares up to 3.9 (deprecated there): handed to the delegate
     * when the running kafka-clients has it, so that code built against 3.x keeps working through the wrapper.
     *
     * @throws UnsupportedOperationException on kafka-clients 4.0 and later (use the {@link ConsumerGroupMetadata}
     *         form), or when the delegate does not implement it
     */
    @Deprecated
    public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, String consumerGroupId) {
        ProducerMethods.sendOffsetsToTransaction(delegate, offsets, consumerGroupId);
    }

    @Override
    public void commitTransaction() {
        delegate.commitTransaction();
    }

    @Override
    public void abortTransaction() {
        delegate.abortTransaction();
    }

    /** Delegates; skipped when the delegate has no metric subscription (kafka-clients before 4.0). */
    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
        if (delegatesMetricSubscription) {
            delegate.registerMetricForSubscription(metric);
        }
    }

    /** Delegates; skipped when the delegate has no metric subscription (kafka-clients before 4.0). */
    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
        if (delegatesMetricSubscription) {
            delegate.unregisterMetricFromSubscription(metric);
        }
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return delegate.metrics();
    }

    /** @throws UnsupportedOperationException when the delegate was built against a kafka-clients older than 3.7 */
    @Override
    public Uuid clientInstanceId(Duration timeout) {
        if (!delegatesClientInstanceId) {
            throw ProducerMethods.notImplemented(delegate, "clientInstanceId(Duration)");
        }
        return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void close(Duration timeout) {
        delegate.close(timeout);
    }
}
