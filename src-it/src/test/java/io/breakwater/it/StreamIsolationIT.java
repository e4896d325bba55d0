package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.eventbus.EventBus;
import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.testkit.RealBroker;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** One stream whose partition lost its leader opens its own breaker, and no other. */
@RealBroker(nodes = 3, faults = true)
class StreamIsolationIT {

    @Test
    void aLeaderlessStreamOpensOnlyItsOwnBreaker(EmbeddedKafkaCluster kafka) throws Exception {
        kafka.admin().createTopics(List.of(
                new NewTopic("lonely", Map.of(0, List.of(2))),
                new NewTopic("healthy", Map.of(0, List.of(0, 1, 2))))).all().get(30, TimeUnit.SECONDS);
        RedpandaTransport transport = RedpandaTransport.builder(Map.of("bootstrap.servers", kafka.bootstrapServers())).build();
        try (EventBus bus = EventBus.builder(transport).build()) {
            bus.publishStream("lonely", Map.of("n", 0)).get(30, TimeUnit.SECONDS);
            bus.publishStream("healthy", Map.of("n", 0)).get(30, TimeUnit.SECONDS);

            kafka.stop(2); // the only replica of "lonely"
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                bus.publishStream("lonely", Map.of("n", 1));
                bus.publishStream("healthy", Map.of("n", 1));
                return bus.channelBreaker("lonely").state() == CircuitBreakerState.OPEN;
            });
            for (int i = 0; i < 20; i++) {
                bus.publishStream("healthy", Map.of("n", i)).get(30, TimeUnit.SECONDS);
            }
            assertThat(bus.channelBreaker("healthy").state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(bus.transportBreaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(bus.health().openCircuits()).containsExactly("eventbus-lonely");
            kafka.start(2);
        }
    }

    @Test
    void aStreamFailingAloneLongAfterAnotherSucceededDoesNotOpenTheTransport(EmbeddedKafkaCluster kafka) throws Exception {
        kafka.admin().createTopics(List.of(
                new NewTopic("alone", Map.of(0, List.of(1))),
                new NewTopic("quiet", Map.of(0, List.of(0, 1, 2))))).all().get(30, TimeUnit.SECONDS);
        RedpandaTransport transport = RedpandaTransport.builder(Map.of("bootstrap.servers", kafka.bootstrapServers())).build();
        try (EventBus bus = EventBus.builder(transport).build()) {
            bus.publishStream("alone", Map.of("n", 0)).get(30, TimeUnit.SECONDS);
            bus.publishStream("quiet", Map.of("n", 0)).get(30, TimeUnit.SECONDS);   // one success, then nothing

            kafka.stop(1); // the only replica of "alone"
            for (int i = 1; i <= 5; i++) {
                // One at a time, long after the last success anywhere: "alone" stalls and opens its own breaker.
                bus.publishStream("alone", Map.of("n", i));
                long counted = i;
                await().atMost(Duration.ofSeconds(15)).until(() -> bus.channelBreaker("alone").state() == CircuitBreakerState.OPEN
                        || bus.channelBreaker("alone").snapshot().failedCalls() >= counted);
            }
            assertThat(bus.channelBreaker("alone").state()).isEqualTo(CircuitBreakerState.OPEN);
            assertThat(bus.channelBreaker("alone").snapshot().failedCalls()).as("alone's own breaker saw it").isPositive();
            assertThat(bus.transportBreaker().snapshot().failedCalls()).as("one stream's trouble").isZero();
            assertThat(bus.transportBreaker().state()).isEqualTo(CircuitBreakerState.CLOSED);
            bus.publishStream("quiet", Map.of("n", 1)).get(30, TimeUnit.SECONDS);
            kafka.start(1);
        }
    }
}
