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
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sends of a guarded producer, each under a permit: the breaker's (and the cluster-wide rule's, when there is one),
 * then the delegate's {@code send()}, its outcome recorded under that permit; a refusal, or a record its gate vetoed,
 * answered as Kafka answers a failed send (the callback, then a failed future), and remembered by the transaction.
 */
public final class GuardedSends<K, V> implements GuardedSend<K, V> {

    private final Producer<K, V> delegate;
    private final CircuitBreaker breaker;
    private final ClusterWideRule clusterRule;
    // Null when the wrapper only enforces the breaker (an interceptor records the outcomes).
    private final SendRecorder recorder;
    private final TransactionRefusals transactions;
    // Whether one sender thread sends for every caller (the non-blocking mode): what waits there, they all wait for.
    private final boolean shared;
    // When a record for a partition its topic lacks was last warned of (System.nanoTime(); 0: never).
    private volatile long lastWarned;
    private static final long WARN_EVERY_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    private static final Logger LOG = LoggerFactory.getLogger(GuardedSends.class);

    public GuardedSends(Producer<K, V> delegate, CircuitBreaker breaker, ClusterWideRule clusterRule, SendRecorder recorder,
                        TransactionRefusals transactions, boolean shared) {
        this.delegate = delegate;
        this.breaker = breaker;
        this.clusterRule = clusterRule;
        this.recorder = recorder;
        this.transactions = transactions;
        this.shared = shared;
    }

    @Override
    public Producer<?, ?> producer() {
        return delegate;
    }

    /** Sends {@code record} if the breaker (and the rule) permit; as the delegate's {@code send()}, which may block. */
    @Override
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
            if (partition != null && recorder.lastAcknowledged(topic)) {
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
     * For a record with a partition of its own, of the topic the producer's last acknowledgement came from (so its
     * metadata is at hand, and asking for it waits for nothing): null when the topic has that partition, or when Kafka
     * keeps an error for the topic (its send() answers that at once, as Kafka answers it). A partition the topic lacks is
     * the caller's error, no sign of an outage: Kafka's send() waits up to {@code max.block.ms} for it to appear (the
     * metadata may be stale: partitions just added are sent within a metadata round trip), which the watchdog would take
     * for a stall. Its permit is given back, and the record goes to Kafka untracked, to wait there, with a warning (in the
     * non-blocking mode the records queued behind it wait too). Metadata gone since (an idle producer) is fetched, watched
     * as the send's own wait; a {@code TimeoutException} then is the send's answer, as Kafka gives it, and not a second
     * wait.
     */
    private Future<RecordMetadata> outsideTopic(ProducerRecord<K, V> record, int partition, SendRecorder.Send send,
                                                Callback callback) {
        String topic = record.topic();
        List<PartitionInfo> partitions;
        try {
            partitions = delegate.partitionsFor(topic);
        } catch (TimeoutException e) {
            transactions.refused(e);
            send.onCompletion(Refusals.failed(topic, partition), e);
            return CompletableFuture.failedFuture(e);
        } catch (InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            return null;
        }
        // Empty: not Kafka's (a topic has a partition), a MockProducer's for a topic its cluster lacks.
        if (partitions == null || partitions.isEmpty() || partition < partitions.size()) {
            return null;
        }
        send.callersOwn();
        long now = System.nanoTime();
        long last = lastWarned;
        if (last == 0 || now - last > WARN_EVERY_NANOS) {
            lastWarned = now == 0 ? 1 : now;
            LOG.warn("A record for partition {} of topic '{}', which has {} partition(s) in the producer's metadata: Kafka's "
                    + "send() waits up to max.block.ms for the partition to appear{}. Not counted by breaker '{}' (said once "
                    + "a minute at most)", partition, topic, partitions.size(),
                    shared ? ", and the records queued behind it wait as long" : "", breaker.name());
        }
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
