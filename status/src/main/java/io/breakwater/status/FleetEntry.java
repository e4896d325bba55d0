package io.breakwater.status;

import io.breakwater.breaker.CircuitBreakerState;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One line of the fleet view: the newest event of one breaker of one instance, whether that instance is still
 * there, and when it was last heard of. Immutable.
 *
 * @param event     the breaker's newest event
 * @param presence  what the instance's heartbeats say
 * @param lastSeen  the newest of the breaker's event and its instance's heartbeat or stop
 * @param heartbeat the instance's newest instance event, or null if none was read (a schema-1 writer)
 */
public record FleetEntry(StatusEvent event, Presence presence, Instant lastSeen, InstanceEvent heartbeat) {

    /** Whether the instance of a breaker is there. */
    public enum Presence {
        /** Its newest heartbeat is at most {@value InstanceEvent#MISSED_HEARTBEATS} intervals old. */
        LIVE,
        /** Its newest heartbeat is older than {@value InstanceEvent#MISSED_HEARTBEATS} intervals: it may be gone. */
        STALE,
        /** It stopped cleanly, or the breaker was detached from its publisher. */
        STOPPED,
        /** No heartbeat was read: an instance of a version that sends none (schema 1). */
        UNKNOWN
    }

    public FleetEntry {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(lastSeen, "lastSeen");
    }

    public String instance() {
        return event.instance();
    }

    public String breaker() {
        return event.breaker();
    }

    /** The breaker's state as last published (for a STALE or STOPPED instance: its last known state). */
    public CircuitBreakerState state() {
        return event.to();
    }

    /**
     * The entry of {@code event} at {@code now}, given {@code instance}, the newest instance event of its instance
     * (null when none was read).
     */
    public static FleetEntry of(StatusEvent event, InstanceEvent instance, Instant now) {
        Objects.requireNonNull(now, "now");
        return of(event, instance, now, i -> i.isStaleAt(now));
    }

    /** As {@link #of(StatusEvent, InstanceEvent, Instant)}, a heartbeat judged {@code stale} or not by the caller. */
    static FleetEntry of(StatusEvent event, InstanceEvent instance, Instant now, Predicate<InstanceEvent> stale) {
        Objects.requireNonNull(event, "event");
        Instant lastSeen = instance != null && instance.at().isAfter(event.at()) ? instance.at() : event.at();
        Presence presence;
        if (event.kind() == StatusEvent.Kind.STOPPED) {
            presence = Presence.STOPPED;
        } else if (instance == null) {
            presence = Presence.UNKNOWN;
        } else if (instance.kind() == InstanceEvent.Kind.STOPPED) {
            // A breaker event after the stop comes from the instance started again under the same id.
            presence = event.at().isAfter(instance.at()) ? Presence.LIVE : Presence.STOPPED;
        } else {
            presence = stale.test(instance) ? Presence.STALE : Presence.LIVE;
        }
        return new FleetEntry(event, presence, lastSeen, instance);
    }

    /**
     * The fleet at {@code now}, sorted by instance, then breaker: one entry per event of {@code events}, judged by
     * {@code instances} (by instance id); STOPPED entries only if {@code includeStopped}.
     */
    public static List<FleetEntry> of(Collection<StatusEvent> events, Map<String, InstanceEvent> instances, Instant now,
                                      boolean includeStopped) {
        Objects.requireNonNull(now, "now");
        return of(events, instances, now, includeStopped, i -> i.isStaleAt(now));
    }

    /** As {@link #of(Collection, Map, Instant, boolean)}, each heartbeat judged {@code stale} or not by the caller. */
    static List<FleetEntry> of(Collection<StatusEvent> events, Map<String, InstanceEvent> instances, Instant now,
                               boolean includeStopped, Predicate<InstanceEvent> stale) {
        Objects.requireNonNull(instances, "instances");
        return events.stream()
                .map(e -> of(e, instances.get(e.instance()), now, stale))
                .filter(e -> includeStopped || e.presence() != Presence.STOPPED)
                .sorted(Comparator.comparing(FleetEntry::instance).thenComparing(FleetEntry::breaker))
                .toList();
    }
}
