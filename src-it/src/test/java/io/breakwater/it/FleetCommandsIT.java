package io.breakwater.it;

import static io.breakwater.it.FleetControlIT.HEARTBEAT;
import static io.breakwater.it.FleetControlIT.LAST_ERR;
import static io.breakwater.it.FleetControlIT.awaitStarted;
import static io.breakwater.it.FleetControlIT.orders;
import static io.breakwater.it.FleetControlIT.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.eventbus.EventBus;
import io.breakwater.status.ControlFollower;
import io.breakwater.status.StatusEvent;
import io.breakwater.status.StatusPublisher;
import io.breakwater.status.StatusReader;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The fleet-wide switch on a real broker, where nothing is timed: which instances a command reaches, one started after
 * it, an EventBus that follows it, a control topic that does not exist. {@link FleetControlIT} times the switch.
 */
@RealBroker
class FleetCommandsIT {

    @Test
    void aCommandForOneInstanceLeavesTheOthersAlone(TestBroker broker) throws Exception {
        FleetInstance.Topics topics = FleetInstance.Topics.fresh(broker, "target");
        try (FleetInstance a = FleetInstance.start(broker, topics, "trader-1", HEARTBEAT);
             FleetInstance b = FleetInstance.start(broker, topics, "trader-2", HEARTBEAT);
             StatusReader reader = StatusReader.start(broker.clientConfig(), topics.status())) {
            awaitStarted(reader, List.of(a, b));

            String id = send(broker, topics, "disable", "orders", "--instance", "trader-2");

            await().atMost(Duration.ofSeconds(10)).until(() -> orders(reader, b).to() == CircuitBreakerState.DISABLED);
            assertThat(orders(reader, b).reason()).isEqualTo(id + ": disable by it");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() ->
                    orders(reader, a).to() == CircuitBreakerState.CLOSED && orders(reader, a).kind() == StatusEvent.Kind.STARTED);
            assertThat(a.lines()).noneMatch(l -> l.startsWith("transition"));

            String reset = send(broker, topics, "reset", "orders", "--instance", "trader-2");
            assertThat(LAST_ERR.get()).as("a name the status topic knows").doesNotContain("Warning");
            await().atMost(Duration.ofSeconds(10)).until(() -> orders(reader, b).to() == CircuitBreakerState.CLOSED);
            assertThat(orders(reader, b).reason()).isEqualTo(reset + ": reset by it");

            send(broker, topics, "reset", "ordres");
            assertThat(LAST_ERR.get()).contains("Warning: no instance has reported breaker 'ordres' on " + topics.status());
        }
    }


    @Test
    void anInstanceStartedLaterObeysTheStandingCommandBeforeItsFirstSend(TestBroker broker) throws Exception {
        FleetInstance.Topics topics = FleetInstance.Topics.fresh(broker, "late");
        try (FleetInstance early = FleetInstance.start(broker, topics, "trader-1", HEARTBEAT);
             StatusReader reader = StatusReader.start(broker.clientConfig(), topics.status())) {
            awaitStarted(reader, List.of(early));
            String id = send(broker, topics, "force-open", "orders");
            await().atMost(Duration.ofSeconds(10)).until(() -> orders(reader, early).to() == CircuitBreakerState.FORCED_OPEN);

            try (FleetInstance late = FleetInstance.start(broker, topics, "trader-9", HEARTBEAT)) {
                assertThat(late.readyState()).as("forced open before the producer was handed over").isEqualTo("FORCED_OPEN");
                await().atMost(Duration.ofSeconds(30)).until(() -> orders(reader, late) != null
                        && orders(reader, late).to() == CircuitBreakerState.FORCED_OPEN);
                assertThat(orders(reader, late).reason()).isEqualTo(id + ": force-open by it");
            }
        }
    }


    @Test
    void anEventBusFollowsTheSwitchAndReportsIt(TestBroker broker) throws Exception {
        FleetInstance.Topics topics = FleetInstance.Topics.fresh(broker, "bus");
        String stream = topics.data();
        try (StatusPublisher status = StatusPublisher.create(broker.clientConfig(), topics.status(), "bus-1");
             ControlFollower control = ControlFollower.create(broker.clientConfig(), topics.control(), "bus-1");
             EventBus bus = EventBus.builder(RedpandaTransport.builder(broker.clientConfig()).build())
                     .statusPublisher(status).controlFollower(control).build();
             StatusReader reader = StatusReader.start(broker.clientConfig(), topics.status())) {
            bus.publishStream(stream, "k", Map.of("n", 1), Map.of()).get(30, TimeUnit.SECONDS);
            String channel = "eventbus-" + stream;

            String id = send(broker, topics, "force-open", channel, "--instance", "bus-1", "--for", "1h");

            await().atMost(Duration.ofSeconds(10)).until(() -> bus.channelBreaker(stream).state() == CircuitBreakerState.FORCED_OPEN);
            assertThatThrownBy(() -> bus.publishStream(stream, "k", Map.of("n", 2), Map.of()).join())
                    .hasCauseInstanceOf(CircuitBreakerOpenException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> reader.fleet().get("bus-1/" + channel) != null
                    && reader.fleet().get("bus-1/" + channel).reason().startsWith(id + ": force-open by it until "));
            assertThat(bus.transportBreaker().state()).as("the other breakers run on").isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(control.commands()).containsKey("bus-1/" + channel);
        }
    }


    @Test
    void aStandingForceOpenRefusesTheFirstPublishOfANewChannel(TestBroker broker) throws Exception {
        FleetInstance.Topics topics = FleetInstance.Topics.fresh(broker, "busfirst");
        String stream = topics.data();
        send(broker, topics, "force-open", "eventbus-" + stream, "--instance", "bus-2");
        try (ControlFollower control = ControlFollower.create(broker.clientConfig(), topics.control(), "bus-2");
             EventBus bus = EventBus.builder(RedpandaTransport.builder(broker.clientConfig()).build())
                     .controlFollower(control).build()) {
            assertThat(control.commands()).as("read while the bus was built").containsKey("bus-2/eventbus-" + stream);

            assertThatThrownBy(() -> bus.publishStream(stream, "k", Map.of("n", 1), Map.of()).join())
                    .hasCauseInstanceOf(CircuitBreakerOpenException.class);
            assertThat(bus.channelBreaker(stream).state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
        }
    }


    @Test
    void aMissingControlTopicCountsAsReadWithNoCommands(TestBroker broker) throws Exception {
        String topic = "no-such-control-" + System.nanoTime();
        try (ControlFollower control = ControlFollower.create(broker.clientConfig(), topic, "lonely")) {
            long start = System.nanoTime();
            assertThat(control.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            // Read timeout 5 s by default; the cluster answers within 3 s here (a 10x margin on the 30 s bound).
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(control.commands()).isEmpty();
        }
    }
}
