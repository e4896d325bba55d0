package io.breakwater.eventbus.internal;

import io.breakwater.eventbus.PublishResult;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * One publish sent directly (its own send: one object for both), and what becomes of it once the send is answered:
 * acknowledged, its future completes with where the event went; failed for want of the cluster on a stream with a
 * spill, the event goes there; otherwise the stream's fallback, or the failure. Its future completes on every path,
 * whatever a spill or fallback throws.
 */
public final class Publication extends ChannelSender.Send implements CutOver.Held {

    /** What every publication of one bus shares. */
    public record Bus(Fallbacks fallbacks, EventHeaders headers, EventIds ids, ChannelSender sender) {
    }

    private final Bus bus;
    private final String key;
    private final Object event;
    private final byte[] payload;
    // The event's headers as text when the caller gave some; null otherwise (made only should the event go to the spill).
    private final Map<String, String> text;
    // The bytes of the event's id (EventIds), or null until id() makes it.
    private byte[] id;
    // Its text, for the result or the spill: made by make(), on the thread that sends the record (the transport's sender
    // thread, unless the transport blocks) while the bytes are in its cache, not on Kafka's network thread, which would
    // read them from another core's; else when first needed (idText()).
    private String idText;
    private final long order;
    private final CompletableFuture<PublishResult> result = new CompletableFuture<>();

    public Publication(Bus bus, StreamChannel channel, String key, Object event, byte[] payload, Map<String, String> text,
                       byte[] id, long order) {
        super(channel);
        this.bus = bus;
        this.key = key;
        this.event = event;
        this.payload = payload;
        this.text = text;
        this.id = id;
        this.order = order;
    }

    @Override
    public String topic() {
        return channel.topic;
    }

    /**
     * The record, made as the event leaves the transport's queue: until then it waits as this publication alone, without
     * a record, headers or (unless the caller gave headers) an id.
     */
    @Override
    public ProducerRecord<String, byte[]> make() {
        byte[] made = id();
        idText = EventIds.text(made);
        return new ProducerRecord<>(channel.topic, null, key, payload, bus.headers().kafka(text, made));
    }

    /**
     * The event's id, made on first use. One thread at a time uses it: the sender's {@link #make()}, then (or without
     * it) the one thread that is told the outcome ({@link #sent}, once), after Kafka or the queue handed the publication
     * over to it.
     */
    private byte[] id() {
        byte[] made = id;
        if (made == null) {
            id = made = bus.ids().next();
        }
        return made;
    }

    /** The text of the event's id: made by {@link #make()} if it ran, else now (used as {@link #id()} is). */
    private String idText() {
        String made = idText;
        if (made == null) {
            idText = made = EventIds.text(id());
        }
        return made;
    }

    /** The caller's future. */
    public CompletableFuture<PublishResult> result() {
        return result;
    }

    @Override
    protected void sent(RecordMetadata metadata, Throwable cause) {
        boolean spillHasIt = false;
        try {
            if (cause == null) {
                channel.settled(order);
                result.complete(new PublishResult(metadata.topic(), metadata.partition(), metadata.offset(),
                        metadata.timestamp(), false, idText()));
                return;
            }
            if (channel.spill != null && Spillable.test(cause)) {
                channel.spilling();
                spillHasIt = true;
                spill();
                return;
            }
            channel.settled(order);
            Futures.relay(bus.fallbacks().fail(channel.stream, key, event, cause), result);
        } catch (Throwable e) {
            if (!spillHasIt) {
                channel.settled(order); // no memory left: an order never settled would hold the stream's replay for good
            }
            result.completeExceptionally(e);
        }
    }

    /** Held by a cut-over, now sent: through the stream's breaker (a permit taken now) and the transport. */
    @Override
    public void send() {
        bus.sender().send(this, null);
    }

    /** To the stream's spill, where it is counted already; the count ends on every path (the spill's append ends it). */
    @Override
    public void spill() {
        String idText;
        Map<String, String> headers;
        try {
            idText = idText();
            headers = bus.headers().forSpill(text, idText);
        } catch (Throwable e) {   // no memory left
            channel.appendRefused();
            channel.settled(order);
            result.completeExceptionally(e);
            return;
        }
        Futures.relay(channel.spill.append(channel, channel.topic, key, payload, headers, order, idText), result);
    }

    @Override
    public int bytes() {
        return payload.length;
    }
}
