package io.breakwater.interceptors.internal;

import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a send queue needs to know of threads: whose wait would never end, and how its sender thread ends. */
final class SenderThreads {

    private static final Logger LOG = LoggerFactory.getLogger(SendQueue.class);

    private SenderThreads() {
    }

    /**
     * Whether {@code thread} is the network thread of {@code producer} (null: none), which runs its callbacks: a sender
     * thread may be waiting in that producer's {@code send()} for it (for buffer memory or metadata), so it must never
     * wait for the sender. Kafka names it after the producer's client id, which the producer's metrics carry.
     */
    static boolean isNetworkThreadOf(Thread thread, Producer<?, ?> producer) {
        String name = thread.getName();
        if (producer == null || !name.startsWith(KafkaProducer.NETWORK_THREAD_PREFIX)) {
            return false;
        }
        try {
            for (MetricName metric : producer.metrics().keySet()) {
                String clientId = metric.tags().get("client-id");
                if (clientId != null) {
                    return name.equals(KafkaProducer.NETWORK_THREAD_PREFIX + " | " + clientId);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("The metrics of {} could not be read; its network thread is not known", producer, e);
        }
        return false;
    }

    /**
     * After the producer itself is closed: interrupts {@code sender}, still blocked in it maybe, and waits up to
     * {@code timeout} (at least a millisecond) for it to end; one still alive then is logged, not waited for. Called
     * on the sender thread itself (a callback closed the producer), it returns at once: the sender ends once the
     * callback returns. Returns whether the sender ended (true there, as it will).
     */
    static boolean awaitEnd(Thread sender, Duration timeout, String breaker) {
        if (Thread.currentThread() == sender) {
            return true;
        }
        sender.interrupt();
        try {
            sender.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender.isAlive()) {
            LOG.warn("The sender thread of '{}' is still blocked in send() after close", breaker);
            return false;
        }
        return true;
    }
}
