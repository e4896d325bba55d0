package io.breakwater.status.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.ManualClock;
import io.breakwater.breaker.Subscription;
import io.breakwater.status.StatusEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Started and stopped events of breakers attached and detached, on a clock the test holds still. */
class AttachmentsTest {

    private final ManualClock clock = new ManualClock();

    private PublisherCore core(String instance) {
        return new PublisherCore(Map.of("bootstrap.servers", "127.0.0.1:1"), "breakwater-status",
                instance + "-" + System.nanoTime(), Duration.ofSeconds(30), clock);
    }

    /** A breaker named "orders", a new one each call, as a restarted component makes anew. */
    private CircuitBreaker orders() {
        return CircuitBreaker.of(CircuitBreakerConfig.builder("orders").clock(clock).build());
    }

    private static List<StatusEvent> breakerEvents(PublisherCore core) {
        return core.pendingMessages().stream().filter(StatusEvent.class::isInstance).map(StatusEvent.class::cast).toList();
    }

    /**
     * A breaker detached and attached again within the same millisecond: its new {@code started} must read as newer
     * than its {@code stopped}, or a reader keeps the breaker as stopped (hidden) while it runs.
     */
    @Test
    void aBreakerAttachedAgainAtOnceIsSeenAsRunning() {
        PublisherCore core = core("again");
        try {
            Attachments attachments = new Attachments(core);
            CircuitBreaker breaker = orders();
            Subscription first = attachments.attach(breaker, Duration.ZERO);
            first.close();
            attachments.attach(breaker, Duration.ZERO);

            List<StatusEvent> events = breakerEvents(core);
            assertThat(events).extracting(StatusEvent::kind).containsExactly(StatusEvent.Kind.STARTED,
                    StatusEvent.Kind.STOPPED, StatusEvent.Kind.STARTED);
            assertThat(events.get(2).isNewerThan(events.get(1))).as("the second start, after the stop").isTrue();
            assertThat(events.get(1).isNewerThan(events.get(0))).as("the stop, after the first start").isTrue();
        } finally {
            core.close(Duration.ZERO);
        }
    }

    /**
     * A new breaker of a detached one's name, whose first event is a transition (its sequence begun anew, its time no
     * later than the stop): a started event goes before it, so that readers see the breaker running again.
     */
    @Test
    void aNewBreakerOfTheNameWhoseFirstEventIsATransitionIsSeenAsRunning() {
        PublisherCore core = core("renewed");
        try {
            Attachments attachments = new Attachments(core);
            CircuitBreaker old = orders();
            Subscription first = attachments.attach(old, Duration.ZERO);
            old.forceOpen();
            old.reset();
            first.close();
            CircuitBreaker renewed = orders();
            attachments.attach(renewed, Duration.ofHours(1));   // announced later: a restore, say, still running
            renewed.forceOpen();

            List<StatusEvent> events = breakerEvents(core);
            assertThat(events).extracting(StatusEvent::kind).containsExactly(StatusEvent.Kind.STARTED,
                    StatusEvent.Kind.TRANSITION, StatusEvent.Kind.TRANSITION, StatusEvent.Kind.STOPPED,
                    StatusEvent.Kind.STARTED, StatusEvent.Kind.TRANSITION);
            StatusEvent stopped = events.get(3);
            assertThat(events.get(4).isNewerThan(stopped)).as("the new breaker's start, after the old one's stop").isTrue();
            assertThat(events.get(5).isNewerThan(events.get(4))).as("its transition, after its start").isTrue();
        } finally {
            core.close(Duration.ZERO);
        }
    }
}
