package io.breakwater.compat;

import static io.breakwater.compat.Clients.newTopic;
import static io.breakwater.compat.Clients.opens;
import static io.breakwater.compat.Clients.unique;
import static io.breakwater.compat.Clients.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerOpenException;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.EventBusBuilder;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.testkit.ForkedKafkaBroker;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The EventBus and its transport on this release: two buses publish, a frozen broker opens their breakers,
 * then the one without a spill refuses at once and the one with a SQLite spill spills; after the resume both
 * close again and every spilled event is replayed to its topic.
 */
@ExtendWith(CompatBroker.class)
class EventBusCompatIT {

    record Tick(long sequence) {
    }

    @TempDir
    Path dir;

    private static EventBus bus(String bootstrap, SqliteSpillStore spill) {
        RedpandaTransport transport = RedpandaTransport.builder(Map.of("bootstrap.servers", bootstrap,
                "request.timeout.ms", 5_000, "delivery.timeout.ms", 20_000,
                "breakwater.breaker.name", unique("compat-transport"),
                "breakwater.in.flight.threshold.ms", Long.toString(Clients.IN_FLIGHT_THRESHOLD.toMillis()),
                "breakwater.reset.timeout.ms", Long.toString(Clients.RESET_TIMEOUT.toMillis()))).build();
        EventBusBuilder builder = EventBus.builder(transport)
                .inFlightThreshold(Clients.IN_FLIGHT_THRESHOLD)
                .defaultChannelConfig(CircuitBreakerConfig.from(BreakerPresets.kafkaChannel("default"))
                        .resetTimeout(Clients.RESET_TIMEOUT).build());
        return (spill == null ? builder : builder.spill(spill)).build();
    }

    private static boolean closed(EventBus bus, String stream) {
        return bus.transportBreaker().state() == CircuitBreakerState.CLOSED
                && bus.channelBreaker(stream).state() == CircuitBreakerState.CLOSED;
    }

    @Test
    void publishesOpensOnAFrozenBrokerRefusesOrSpillsAndReplaysEverySpilledEventAfterResume(ForkedKafkaBroker broker)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        String plainStream = newTopic(bootstrap, "compat-bus");
        String spillStream = newTopic(bootstrap, "compat-spill");
        List<CompletableFuture<PublishResult>> spilling = new CopyOnWriteArrayList<>();
        long[] sequence = {0};
        try (EventBus plain = bus(bootstrap, null);
             EventBus withSpill = bus(bootstrap, SqliteSpillStore.open(dir.resolve("spill.db")))) {
            PublishResult first = plain.publishStream(plainStream, "k", new Tick(0), Map.of()).get(30, TimeUnit.SECONDS);
            assertThat(first.acknowledged()).isTrue();
            spilling.add(withSpill.publishStream(spillStream, "k", new Tick(sequence[0]++), Map.of()));
            spilling.get(0).get(30, TimeUnit.SECONDS);

            BooleanSupplier plainOpened = opens(plain.transportBreaker());
            BooleanSupplier spillOpened = opens(withSpill.transportBreaker());
            broker.freeze();
            within(10).untilAsserted(() -> {
                plain.publishStream(plainStream, "k", new Tick(-1), Map.of());
                spilling.add(withSpill.publishStream(spillStream, "k", new Tick(sequence[0]++), Map.of()));
                assertThat(plainOpened.getAsBoolean() && spillOpened.getAsBoolean()).as("both transports opened; %s; %s",
                        plain.circuitBreakerStatus(), withSpill.circuitBreakerStatus()).isTrue();
            });
            // A publish that meets a breaker OPEN is refused at once. With a 1 s reset the breakers may be HALF_OPEN when
            // this thread gets to publish (it lost its core, say): that publish is a trial, goes to the frozen broker
            // unanswered and opens the breaker again. So publishes are tried until one meets them OPEN.
            CompletableFuture<PublishResult> refused = within(5).until(
                    () -> plain.publishStream(plainStream, "k", new Tick(-2), Map.of()), CompletableFuture::isDone);
            assertThat(refused).as("refused without waiting").isCompletedExceptionally();
            assertThatThrownBy(refused::join).hasCauseInstanceOf(CircuitBreakerOpenException.class);
            CompletableFuture<PublishResult> kept = withSpill.publishStream(spillStream, "k", new Tick(sequence[0]++), Map.of());
            spilling.add(kept);
            assertThat(kept.get(10, TimeUnit.SECONDS).spilled()).as("spilled while open").isTrue();

            broker.resume();
            within(30).until(() -> withSpill.spillStatus().get(0).pending() == 0);
            // HALF_OPEN breakers close on their trials: publishes go on until both buses are closed.
            within(20).until(() -> {
                plain.publishStream(plainStream, "k", new Tick(-3), Map.of());
                spilling.add(withSpill.publishStream(spillStream, "k", new Tick(sequence[0]++), Map.of()));
                return closed(plain, plainStream) && closed(withSpill, spillStream);
            });
            assertThat(plain.publishStream(plainStream, "k", new Tick(-4), Map.of()).get(30, TimeUnit.SECONDS).acknowledged()).isTrue();
            within(30).until(() -> withSpill.spillStatus().get(0).pending() == 0 && spilling.stream().allMatch(CompletableFuture::isDone));
            assertThat(withSpill.spillStatus().get(0).replayed()).as("events replayed from the spill").isPositive();
        }
        Set<String> ids = spilling.stream().map(CompletableFuture::join).map(PublishResult::eventId).collect(Collectors.toSet());
        List<ConsumerRecord<String, String>> records = Clients.consume(bootstrap, spillStream, false,
                read -> read.stream().map(EventBusCompatIT::eventId).collect(Collectors.toSet()).containsAll(ids));
        assertThat(records.stream().map(EventBusCompatIT::eventId).collect(Collectors.toSet()))
                .as("every event published with the spill is on the topic").containsAll(ids);
    }

    private static String eventId(ConsumerRecord<String, String> record) {
        Header id = record.headers().lastHeader(EventBus.EVENT_ID_HEADER);
        return id == null ? null : new String(id.value(), StandardCharsets.UTF_8);
    }
}
