package io.breakwater.status.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.breaker.CircuitBreakerConfig;
import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.ManualClock;
import io.breakwater.status.ControlCommand;
import io.breakwater.status.ControlCommand.Action;
import io.breakwater.status.ControlCommandCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the control topic's records do to the commands read; records are handed over as the follower would. */
class ControlCoreTest {

    private final ManualClock clock = new ManualClock();
    private final ControlCore core = new ControlCore(Map.of("bootstrap.servers", "127.0.0.1:1"), "breakwater-control",
            "a-" + System.nanoTime(), clock);
    private long offset;

    @AfterEach
    void close() {
        core.close();
    }

    private void read(String key, byte[] value) {
        core.accept(new ConsumerRecord<>("breakwater-control", 0, offset++, key, value));
    }

    private ControlCommand command(String breaker) {
        return ControlCommand.issue(Action.FORCE_OPEN, breaker, null, "alice", null, clock.instant());
    }

    @Test
    void aGoodCommandAfterPoisonRecordsIsStillApplied() {
        read("orders", "not json".getBytes(StandardCharsets.UTF_8));
        read("orders", new byte[] {(byte) 0xff, 0, 1});
        read("orders", "{\"schema\":99}".getBytes(StandardCharsets.UTF_8));
        ControlCommand good = command("orders");
        read(good.key(), ControlCommandCodec.encode(good));

        assertThat(core.malformedRecords()).isEqualTo(3);
        assertThat(core.commands()).containsOnly(Map.entry("orders", good));
        CircuitBreaker orders = CircuitBreaker.of(CircuitBreakerConfig.builder("orders").clock(clock).build());
        core.applier().attach(orders);
        core.applier().apply(clock.instant());
        assertThat(orders.state()).isEqualTo(CircuitBreakerState.FORCED_OPEN);
    }

    @Test
    void aCommandUnderAnotherKeyIsMalformed() {
        ControlCommand forPayments = command("payments");
        read("orders", ControlCommandCodec.encode(forPayments));

        assertThat(core.malformedRecords()).isEqualTo(1);
        assertThat(core.commands()).isEmpty();
    }

    @Test
    void aTombstoneWithdrawsItsKeysCommand() {
        ControlCommand good = command("orders");
        read(good.key(), ControlCommandCodec.encode(good));
        read(good.key(), null);
        assertThat(core.commands()).isEmpty();
        assertThat(core.malformedRecords()).isZero();
    }
}
