package io.breakwater.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * That an application instance is alive (a heartbeat, every {@code interval}) or has stopped cleanly, keyed
 * {@code {instance}} on the status topic (schema 2). Readers mark an instance {@code STALE} when its newest heartbeat
 * is older than {@value #MISSED_HEARTBEATS} intervals. Immutable.
 *
 * @param schema    the JSON layout version, {@value StatusEvent#SCHEMA}
 * @param kind      a heartbeat, or the instance's clean stop
 * @param instance  the application instance
 * @param at        when
 * @param startedAt when the instance's status publisher started
 * @param interval  how often the instance sends a heartbeat
 * @param sequence  1 for the instance's first heartbeat, then +1 for each one; its stop takes the next number
 */
public record InstanceEvent(int schema, Kind kind, String instance, Instant at, Instant startedAt, Duration interval,
                            long sequence) implements StatusMessage {

    /** After this many heartbeat intervals without one, an instance is {@code STALE}. */
    public static final int MISSED_HEARTBEATS = 3;

    /** What an instance event says. */
    public enum Kind {
        /** The instance is alive. */
        HEARTBEAT,
        /** The instance's last status publisher was closed: a clean shutdown. */
        STOPPED
    }

    public InstanceEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(interval, "interval");
        if (schema != StatusEvent.SCHEMA) {
            throw new IllegalArgumentException("schema must be " + StatusEvent.SCHEMA + ", but was " + schema);
        }
        if (instance.isBlank()) {
            throw new IllegalArgumentException("instance must not be blank, but was '" + instance + "'");
        }
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException("interval must be at least 1 ms, but was " + interval);
        }
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be >= 1, but was " + sequence);
        }
    }

    /** The record key: {@code {instance}}. */
    @Override
    public String key() {
        return instance;
    }

    /** Whether {@code now} is more than {@value #MISSED_HEARTBEATS} intervals after this heartbeat. */
    public boolean isStaleAt(Instant now) {
        return kind == Kind.HEARTBEAT && Duration.between(at, now).compareTo(interval.multipliedBy(MISSED_HEARTBEATS)) > 0;
    }
}
