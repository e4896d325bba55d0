package io.breakwater.status.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.ManualClock;
import io.breakwater.status.InstanceEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An instance's heartbeats on a clock the test moves; nothing reaches a broker. */
class HeartbeatTest {

    private final ManualClock clock = new ManualClock();

    private PublisherCore core(String instance) {
        return new PublisherCore(Map.of("bootstrap.servers", "127.0.0.1:1"), "breakwater-status", instance,
                Duration.ofSeconds(30), clock);
    }

    private static List<InstanceEvent> heartbeats(PublisherCore core) {
        return core.pendingMessages().stream().filter(InstanceEvent.class::isInstance).map(InstanceEvent.class::cast).toList();
    }

    @Test
    void aHeartbeatGoesOutEveryIntervalAndOnlyTheNewestWaits() {
        PublisherCore core = core("beating");
        try {
            assertThat(heartbeats(core)).extracting(InstanceEvent::sequence).containsExactly(1L);

            clock.advance(Duration.ofSeconds(29));
            core.tick();
            assertThat(heartbeats(core)).as("not due yet").extracting(InstanceEvent::sequence).containsExactly(1L);

            clock.advance(Duration.ofSeconds(1));
            core.tick();
            assertThat(heartbeats(core)).as("due: the newer one replaces the one still waiting").singleElement()
                    .satisfies(h -> {
                        assertThat(h.sequence()).isEqualTo(2);
                        assertThat(h.at()).isEqualTo(clock.instant());
                        assertThat(h.startedAt()).isEqualTo(clock.instant().minusSeconds(30));
                    });
        } finally {
            core.close(Duration.ZERO);
        }
        assertThat(core.dropped()).as("the stop of the instance replaced the heartbeat, then could not go").isEqualTo(1);
    }

    @Test
    void closingPublishesTheInstancesStopAfterItsLastHeartbeat() {
        PublisherCore core = core("stopping");
        clock.advance(Duration.ofSeconds(31));
        core.tick();
        core.close(Duration.ZERO);
        assertThat(core.pendingMessages()).singleElement().isInstanceOfSatisfying(InstanceEvent.class, stop -> {
            assertThat(stop.kind()).isEqualTo(InstanceEvent.Kind.STOPPED);
            assertThat(stop.sequence()).isEqualTo(3);
        });
    }

    @Test
    void aHeartbeatDueWhileClosingDoesNotReplaceTheInstancesStop() {
        PublisherCore core = core("racing");
        clock.advance(Duration.ofSeconds(31));
        core.beforeStopQueued = core::tick; // the watchdog ticks between the stop being made and being queued
        core.close(Duration.ZERO);
        assertThat(core.pendingMessages()).singleElement().isInstanceOfSatisfying(InstanceEvent.class,
                stop -> assertThat(stop.kind()).isEqualTo(InstanceEvent.Kind.STOPPED));
    }

    @Test
    void aDiscardedPublisherDoesNotSayItsInstanceStopped() {
        PublisherCore core = core("raced");
        core.discard();
        assertThat(core.pendingMessages()).allSatisfy(m -> assertThat(((InstanceEvent) m).kind())
                .isEqualTo(InstanceEvent.Kind.HEARTBEAT));
    }

    @Test
    void workForLaterRunsOnTheTickItIsDue() {
        PublisherCore core = core("later");
        try {
            int[] ran = new int[1];
            core.later(Duration.ofMillis(500), () -> ran[0]++);
            core.tick();
            assertThat(ran[0]).isZero();
            clock.advance(Duration.ofMillis(500));
            core.tick();
            core.tick();
            assertThat(ran[0]).as("once").isEqualTo(1);
        } finally {
            core.close(Duration.ZERO);
        }
    }
}
