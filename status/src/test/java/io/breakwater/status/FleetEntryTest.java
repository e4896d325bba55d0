package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.status.FleetEntry.Presence;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who is there: heartbeats, staleness and stops, on a clock the test moves. */
class FleetEntryTest {

    private final ManualClock clock = new ManualClock();

    private StatusEvent event(String instance, String breaker, StatusEvent.Kind kind, Instant at) {
        return new StatusEvent(StatusEvent.SCHEMA, kind, breaker, instance, CircuitBreakerState.OPEN,
                CircuitBreakerState.OPEN, at, at, kind.name().toLowerCase(java.util.Locale.ROOT), 0, 0, 0, 0, null, 0);
    }

    private InstanceEvent heartbeat(String instance, Duration interval, long sequence) {
        return new InstanceEvent(StatusEvent.SCHEMA, InstanceEvent.Kind.HEARTBEAT, instance, clock.instant(),
                clock.instant(), interval, sequence);
    }

    @Test
    void anInstanceIsStaleOnlyAfterThreeMissedHeartbeats() {
        StatusEvent started = event("a", "orders", StatusEvent.Kind.STARTED, clock.instant());
        InstanceEvent beat = heartbeat("a", Duration.ofSeconds(30), 1);

        clock.advance(Duration.ofSeconds(90));
        FleetEntry atThree = FleetEntry.of(started, beat, clock.instant());
        clock.advance(Duration.ofMillis(1));
        FleetEntry pastThree = FleetEntry.of(started, beat, clock.instant());

        assertThat(atThree.presence()).as("exactly 3 intervals: not yet").isEqualTo(Presence.LIVE);
        assertThat(pastThree.presence()).isEqualTo(Presence.STALE);
        assertThat(pastThree.state()).as("the last known state stays").isEqualTo(CircuitBreakerState.OPEN);
        assertThat(pastThree.lastSeen()).isEqualTo(beat.at());
    }

    @Test
    void eachInstanceIsJudgedByItsOwnInterval() {
        StatusEvent fast = event("fast", "orders", StatusEvent.Kind.STARTED, clock.instant());
        StatusEvent slow = event("slow", "orders", StatusEvent.Kind.STARTED, clock.instant());
        Map<String, InstanceEvent> beats = Map.of("fast", heartbeat("fast", Duration.ofSeconds(1), 1),
                "slow", heartbeat("slow", Duration.ofMinutes(1), 1));
        clock.advance(Duration.ofSeconds(10));

        List<FleetEntry> fleet = FleetEntry.of(List.of(slow, fast), beats, clock.instant(), true);

        assertThat(fleet).extracting(FleetEntry::instance, FleetEntry::presence).containsExactly(
                org.assertj.core.groups.Tuple.tuple("fast", Presence.STALE),
                org.assertj.core.groups.Tuple.tuple("slow", Presence.LIVE));
    }

    @Test
    void lastSeenIsTheNewestOfTheBreakersEventAndItsInstancesHeartbeat() {
        InstanceEvent beat = heartbeat("a", Duration.ofSeconds(30), 1);
        clock.advance(Duration.ofSeconds(20));
        StatusEvent transition = event("a", "orders", StatusEvent.Kind.TRANSITION, clock.instant());
        assertThat(FleetEntry.of(transition, beat, clock.instant()).lastSeen()).isEqualTo(transition.at());
        clock.advance(Duration.ofSeconds(15));
        InstanceEvent next = heartbeat("a", Duration.ofSeconds(30), 2);
        assertThat(FleetEntry.of(transition, next, clock.instant()).lastSeen()).isEqualTo(next.at());
    }

    @Test
    void stoppedOnesAreHiddenUnlessAskedFor() {
        StatusEvent running = event("a", "orders", StatusEvent.Kind.STARTED, clock.instant());
        StatusEvent detached = event("a", "payments", StatusEvent.Kind.STOPPED, clock.instant());
        StatusEvent ofAStoppedInstance = event("b", "orders", StatusEvent.Kind.TRANSITION, clock.instant());
        clock.advance(Duration.ofSeconds(1));
        InstanceEvent bStopped = new InstanceEvent(StatusEvent.SCHEMA, InstanceEvent.Kind.STOPPED, "b", clock.instant(),
                clock.instant(), Duration.ofSeconds(30), 7);
        Map<String, InstanceEvent> instances = Map.of("a", heartbeat("a", Duration.ofSeconds(30), 1), "b", bStopped);

        assertThat(FleetEntry.of(List.of(running, detached, ofAStoppedInstance), instances, clock.instant(), false))
                .extracting(FleetEntry::breaker).containsExactly("orders");
        assertThat(FleetEntry.of(List.of(running, detached, ofAStoppedInstance), instances, clock.instant(), true))
                .extracting(FleetEntry::instance, FleetEntry::breaker, FleetEntry::presence).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a", "orders", Presence.LIVE),
                        org.assertj.core.groups.Tuple.tuple("a", "payments", Presence.STOPPED),
                        org.assertj.core.groups.Tuple.tuple("b", "orders", Presence.STOPPED));
    }

    @Test
    void anInstanceStartedAgainAfterItsStopIsLive() {
        InstanceEvent stopped = new InstanceEvent(StatusEvent.SCHEMA, InstanceEvent.Kind.STOPPED, "a", clock.instant(),
                clock.instant(), Duration.ofSeconds(30), 7);
        clock.advance(Duration.ofSeconds(1));
        StatusEvent startedAgain = event("a", "orders", StatusEvent.Kind.STARTED, clock.instant());
        assertThat(FleetEntry.of(startedAgain, stopped, clock.instant()).presence()).isEqualTo(Presence.LIVE);
    }

    @Test
    void anInstanceThatSendsNoHeartbeatsIsNeitherLiveNorStale() {
        StatusEvent v1 = new StatusEvent(1, "orders", "old", CircuitBreakerState.CLOSED, CircuitBreakerState.OPEN,
                clock.instant(), "5 consecutive failure(s)", 1, 0, 5, 0, null, 1);
        clock.advance(Duration.ofDays(1));
        FleetEntry entry = FleetEntry.of(v1, null, clock.instant());
        assertThat(entry.presence()).isEqualTo(Presence.UNKNOWN);
        assertThat(entry.lastSeen()).isEqualTo(v1.at());
    }
}
