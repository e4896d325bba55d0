package io.breakwater.status.internal;

import io.breakwater.breaker.Throwables;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status producer and the client settings it was made with. Newer settings (a newer handle's: credentials rotated,
 * say) make a new producer at the next {@link #sender()}, which the publisher's thread alone calls, between batches:
 * the old one is closed first (the two share a client id), and settings that make no producer are logged and the
 * old ones kept. A close meanwhile closes whichever producer is there, and the one being made once it is.
 */
final class SenderSlot {

    private static final Logger LOG = LoggerFactory.getLogger(SenderSlot.class);

    private final String topic;
    private final String instanceId;
    private volatile Map<String, Object> config;
    // Replaced by the publisher's thread; closed, and never replaced after, by close(). Guarded by `this`.
    private StatusSender sender;
    private boolean closed;
    private final AtomicReference<Map<String, Object>> newer = new AtomicReference<>();
    // Told the newer settings once a producer was made with them (on the publisher's thread).
    private final Consumer<Map<String, Object>> swapped;

    SenderSlot(Map<String, Object> config, String topic, String instanceId) {
        this(config, topic, instanceId, settings -> { });
    }

    SenderSlot(Map<String, Object> config, String topic, String instanceId, Consumer<Map<String, Object>> swapped) {
        this.swapped = swapped;
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
        synchronized (this) {
            if (settings == null || closed) {
                return sender;
            }
            sender.close();
        }
        StatusSender made;   // outside the lock: a SASL login may take a while, and close() must not wait for it
        try {
            made = new StatusSender(settings, topic, instanceId);
        } catch (RuntimeException e) {
            LOG.warn("Status publisher of instance {}: the newer client settings make no producer ({}); keeping the "
                    + "settings it had", instanceId, Throwables.describe(e));
            settings = config;
            made = new StatusSender(settings, topic, instanceId);
        }
        synchronized (this) {
            if (closed) {
                made.close();
            } else {
                boolean newerSettings = settings != config;
                sender = made;
                config = settings;
                if (newerSettings) {
                    swapped.accept(settings);
                }
            }
            return sender;
        }
    }

    synchronized void close() {
        closed = true;
        sender.close();
    }
}
