package io.breakwater.interceptors.internal;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.Permit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * The sends of a guarded producer, each under a permit: the breaker's (and the cluster-wide rule's, when there is one),
 * then the delegate's {@code send()}, its outcome recorded under that permit; a refusal, or a record its gate vetoed,
 * answered as Kafka answers a failed send (the callback, then a failed future), and remembered by the transaction.
 */
public final class GuardedSends<K, V> {

    private final Producer<K, V> delegate;
    private final CircuitBreaker breaker;
    private final ClusterWideRule clusterRule;
    // Null when the wrapper only enforces the breaker (an interceptor records the outcomes).
    private final SendRecorder recorder;
    private final TransactionRefusals transactions;

    public GuardedSends(Producer<K, V> delegate, CircuitBreaker breaker, ClusterWideRule clusterRule, SendRecorder recorder,
                        TransactionRefusals transactions) {
        this.delegate = delegate;
        this.breaker = breaker;
        this.clusterRule = clusterRule;
        this.recorder = recorder;
        this.transactions = transactions;
    }

    /** Sends {@code record} if the breaker (and the rule) permit; as the delegate's {@code send()}, which may block. */
    public Future<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
        String topic = record.topic();
        if (clusterRule != null) {
            clusterRule.attempted(topic);
        }
        Permit permit = breaker.tryAcquirePermit();
        if (permit != null && clusterRule != null && !clusterRule.admit(topic, permit)) {
            breaker.releasePermit(permit);
            permit = null;
        }
        if (permit == null) {
            RuntimeException refusal = breaker.openException();
            transactions.refused(refusal);
            return Refusals.refuse(refusal, record, callback);
        }
        if (recorder == null) {
            return delegate.send(record, callback);
        }
        SendRecorder.Send send = recorder.begin(permit, topic, callback);
        Future<RecordMetadata> future;
        try {
            Integer partition = record.partition();
            if (partition != null) {
                Future<RecordMetadata> outside = outsideTopic(record, partition, send, callback);
                if (outside != null) {
                    return outside;
                }
            }
            future = delegate.send(record, send);
        } catch (Throwable e) {
            send.threw(e);
            throw e;
        }
        send.returned();
        return future;
    }

    /**
     * For a record with a partition of its own: null when the topic has it. When the producer's metadata says the topic
     * has fewer partitions, the caller's error, and no sign of an outage: Kafka's {@code send()} waits up to
     * {@code max.block.ms} for the partition to appear (the metadata may be stale), which the watchdog would take for a
     * stall. The record goes to Kafka as it is, untracked, its permit given back. The metadata is waited for as
     * {@code send()} waits for it, tracked; a {@code TimeoutException} then is the send's answer, as Kafka gives it
     * (through the callback and the future), and not a second wait.
     */
    private Future<RecordMetadata> outsideTopic(ProducerRecord<K, V> record, int partition, SendRecorder.Send send,
                                                Callback callback) {
        List<PartitionInfo> partitions;
        try {
            partitions = delegate.partitionsFor(record.topic());
        } catch (TimeoutException e) {
            transactions.refused(e);
            send.onCompletion(Refusals.failed(record.topic(), partition), e);
            return CompletableFuture.failedFuture(e);
        }
        if (partitions == null || partition < partitions.size()) {
            return null;
        }
        send.callersOwn();
        return delegate.send(record, callback);
    }

    /**
     * A record of {@code topic} and {@code partition} (null: not chosen) its gate vetoed before it was handed over
     * (blocking mode): through the callback, with metadata naming the topic as for any failed send, and a failed future.
     */
    public Future<RecordMetadata> vetoed(RuntimeException veto, String topic, Integer partition, Callback callback) {
        transactions.refused(veto);
        if (callback != null) {
            callback.onCompletion(Refusals.failed(topic, partition), veto);
        }
        return CompletableFuture.failedFuture(veto);
    }
}
