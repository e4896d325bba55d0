package io.breakwater.chaos;

import io.breakwater.breaker.BreakerPresets;
import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.eventbus.EventBus;
import io.breakwater.eventbus.EventBusBuilder;
import io.breakwater.eventbus.PublishResult;
import io.breakwater.eventbus.SpillStatus;
import io.breakwater.spill.SqliteSpillStore;
import io.breakwater.transport.redpanda.RedpandaTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An EventBus over its own non-blocking transport, with or without a SQLite spill. Its outcomes: {@code ok} when
 * acknowledged, {@code spilled} when durable in the spill, {@code rejected} for a breaker's refusal, else
 * {@code fail}.
 */
final class EventBusWorkload implements Workload {

    private final String name;
    private final EventBus bus;
    private final String stream;

    /**
     * A bus with {@code producerProperties} for its transport and {@code resetTimeout} for every breaker; with a
     * spill in {@code spillFile} unless it is null.
     */
    EventBusWorkload(String name, Map<String, Object> producerProperties, Duration resetTimeout, Path spillFile) {
        this.name = name;
        this.stream = topic();
        RedpandaTransport transport = RedpandaTransport.builder(producerProperties)
                .breakerConfig(CircuitBreakerConfig.from(BreakerPresets.kafkaTransport()).resetTimeout(resetTimeout).build())
                .build();
        EventBusBuilder builder = EventBus.builder(transport)
                .defaultChannelConfig(CircuitBreakerConfig.from(BreakerPresets.kafkaChannel("default"))
                        .resetTimeout(resetTimeout).build());
        if (spillFile != null) {
            builder.spill(SqliteSpillStore.open(spillFile));
        }
        this.bus = builder.build();
        bus.channelBreaker(stream); // made now, so that its transitions are heard from the first
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(Event event, Consumer<Outcome> done) {
        Map<String, Object> payload = Map.of("id", event.id(), "key", event.key(), "seq", event.seq());
        bus.publishStream(stream, event.key(), payload, Map.of(ID_HEADER, event.id()))
                .whenComplete((result, error) -> done.accept(error != null ? Outcome.of(error) : outcome(result)));
    }

    private static Outcome outcome(PublishResult result) {
        if (result.spilled()) {
            return Outcome.SPILLED;
        }
        return result.acknowledged() ? Outcome.ok(result.partition(), result.offset())
                : new Outcome(Outcome.Kind.FAIL, -1, -1, "NotAcknowledged");
    }

    @Override
    public List<CircuitBreaker> breakers() {
        return List.of(bus.channelBreaker(stream), bus.transportBreaker());
    }

    @Override
    public long spillPending() {
        return bus.spillStatus().stream().mapToLong(SpillStatus::pending).sum();
    }

    @Override
    public void close(Duration timeout) {
        bus.close(timeout);
    }
}
