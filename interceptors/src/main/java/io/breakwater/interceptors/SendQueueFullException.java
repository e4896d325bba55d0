package io.breakwater.interceptors;

import org.apache.kafka.common.errors.RetriableException;

/**
 * A non-blocking {@link CircuitBreakerProducer}'s send queue was full: the record was not sent, and the send
 * failed at once rather than wait. The queue fills when Kafka takes records more slowly than callers send
 * them (its {@code send()} is blocked on metadata or buffer space). It does not count against the breaker.
 * Retriable: later the queue may have room.
 */
public class SendQueueFullException extends RetriableException {

    private static final long serialVersionUID = 1L;

    public SendQueueFullException(String breaker, int capacity) {
        super("The send queue of '" + breaker + "' is full (" + capacity + " records, "
                + BreakwaterConfig.SEND_QUEUE_MAX_RECORDS_CONFIG + "): the record was not sent");
    }
}
