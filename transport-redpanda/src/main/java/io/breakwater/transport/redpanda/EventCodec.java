package io.breakwater.transport.redpanda;

/** Turns an event into the bytes of a record value. Must be thread-safe. */
public interface EventCodec {

    /**
     * The bytes of {@code event}.
     *
     * @throws org.apache.kafka.common.errors.SerializationException when the event cannot be encoded (a
     *         caller's error: it never counts against a breaker)
     */
    byte[] encode(Object event);

    /** The MIME type of what {@link #encode(Object)} produces, sent in the {@code content-type} header. */
    String contentType();
}
