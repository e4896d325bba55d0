package io.breakwater.status.internal;

import io.breakwater.status.StatusEventCodec;
import io.breakwater.status.StatusMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The status publisher's producer: acks from every replica, short timeouts (a status event that cannot go waits in
 * the publisher's queue, not in the producer's), and a small buffer. Used by the publisher's thread alone.
 */
final class StatusSender {

    private final String topic;
    private final Producer<String, byte[]> producer;

    StatusSender(Map<String, Object> clientConfig, String topic, String instanceId) {
        this(topic, new KafkaProducer<>(producerConfig(clientConfig, instanceId)));
    }

    /** A sender through {@code producer} (for tests). */
    StatusSender(String topic, Producer<String, byte[]> producer) {
        this.topic = topic;
        this.producer = producer;
    }

    private static Map<String, Object> producerConfig(Map<String, Object> clientConfig, String instanceId) {
        Map<String, Object> producerConfig = new HashMap<>(clientConfig);
        producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "breakwater-status-" + instanceId);
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        producerConfig.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 1024 * 1024);
        // A message whose answer came too late is sent again behind the next one of its key (still in Kafka's buffer):
        // without idempotence, one request at a time keeps them in order.
        if ("false".equalsIgnoreCase(String.valueOf(producerConfig.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)))) {
            producerConfig.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        }
        return producerConfig;
    }

    /**
     * Sends {@code messages}, at most one per key, all at once (Kafka batches them), then waits for their answers until
     * {@code deadlineNanos}, handing each one that went out to {@code sent}, and each one that the client or the cluster
     * refuses for itself ({@link #refusesTheRecord}: too large, say) to {@code refused}, which never goes out however
     * often it is sent: the others of the batch go on. Returns the first other failure (a send that could not be made,
     * or a failed or late answer), or null when there was none.
     */
    Throwable send(List<StatusMessage> messages, long deadlineNanos, Consumer<StatusMessage> sent,
                   BiConsumer<StatusMessage, Throwable> refused) throws InterruptedException {
        List<Future<RecordMetadata>> answers = new ArrayList<>(messages.size());
        Throwable failure = null;
        try {
            for (StatusMessage message : messages) {
                Future<RecordMetadata> answer = producer.send(new ProducerRecord<>(topic, message.key(),
                        StatusEventCodec.encode(message)));
                answers.add(answer);
                // A send may block (max.block.ms) for metadata or room: once one failed so, or time is up, the rest waits.
                if (deadlineNanos - System.nanoTime() <= 0 || answer.isDone() && failedForAll(answer)) {
                    break;
                }
            }
        } catch (RuntimeException e) { // the producer is closed, or a send could not be made: the rest waits
            failure = e;
        }
        for (int i = 0; i < answers.size(); i++) {
            try {
                answers.get(i).get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                sent.accept(messages.get(i));
            } catch (ExecutionException e) {
                if (refusesTheRecord(e.getCause())) {
                    refused.accept(messages.get(i), e.getCause());
                } else {
                    failure = failure != null ? failure : e;
                }
            } catch (TimeoutException e) {
                failure = failure != null ? failure : e;
            }
        }
        return failure;
    }

    /**
     * Whether {@code failure} refuses one record for what it is, not the cluster or the producer for what they are:
     * too large for the producer's buffer or request (a forced open with a reason of megabytes, say), or one the
     * broker's checks reject. Sent again, such a record fails again.
     */
    static boolean refusesTheRecord(Throwable failure) {
        // Not RecordBatchTooLargeException: the broker says it of a whole batch, whose other records may go on their own.
        return failure instanceof RecordTooLargeException || failure instanceof InvalidRecordException;
    }

    /** Whether the done {@code answer} failed for a reason other than its record's own (see {@link #refusesTheRecord}). */
    private static boolean failedForAll(Future<RecordMetadata> answer) {
        try {
            answer.get();
            return false;
        } catch (ExecutionException e) {
            return !refusesTheRecord(e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();   // the close's: the wait below ends the batch
            return true;
        }
    }

    /** Closes the producer at once: what it still holds is the publisher's to count. */
    void close() {
        producer.close(Duration.ZERO);
    }
}
