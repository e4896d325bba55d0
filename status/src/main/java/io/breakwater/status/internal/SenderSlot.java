package io.breakwater.status.internal;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The status producer and the client settings it was made with. Newer settings (a newer handle's: credentials rotated,
 * say) make a new producer at the next {@link #sender()}, which the publisher's thread alone calls, between batches.
 */
final class SenderSlot {

    private final String topic;
    private final String instanceId;
    private volatile Map<String, Object> config;
    private volatile StatusSender sender;
    private final AtomicReference<Map<String, Object>> newer = new AtomicReference<>();
    private volatile boolean closed;

    SenderSlot(Map<String, Object> config, String topic, String instanceId) {
        this.topic = topic;
        this.instanceId = instanceId;
        this.config = Map.copyOf(config);
        this.sender = new StatusSender(config, topic, instanceId);
    }

    /** The settings in use, or those the next batch will use. */
    Map<String, Object> config() {
        Map<String, Object> next = newer.get();
        return next != null ? next : config;
    }

    /** The settings the producer was made with. */
    Map<String, Object> inUse() {
        return config;
    }

    void use(Map<String, Object> settings) {
        newer.set(Map.copyOf(settings));
    }

    /** The producer, made anew first if newer settings came; the publisher's thread only. */
    StatusSender sender() {
        Map<String, Object> settings = newer.getAndSet(null);
        if (settings != null && !closed) {
            StatusSender made = new StatusSender(settings, topic, instanceId);   // StatusClients validated them
            sender.close();
            sender = made;
            config = settings;
        }
        return sender;
    }

    void close() {
        closed = true;
        sender.close();
    }
}
