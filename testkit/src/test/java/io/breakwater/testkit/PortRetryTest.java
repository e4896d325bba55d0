package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PortRetryTest {

    private final AtomicInteger attempts = new AtomicInteger();

    @Test
    void aStartThatLostAPortRunsAgain() {
        String result = PortRetry.start("a test broker", () -> {
            if (attempts.incrementAndGet() == 1) {
                throw portTaken("node-0 CONTROLLER 127.0.0.1:40001");
            }
            return "started";
        });
        assertThat(result).isEqualTo("started");
        assertThat(attempts).hasValue(2);
    }

    @Test
    void afterThreeLostPortsItGivesUpNamingEveryPortItTried() {
        assertThatThrownBy(() -> PortRetry.start("a test broker", () -> {
            throw portTaken("node-0 CONTROLLER 127.0.0.1:" + (40000 + attempts.incrementAndGet()));
        }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("could not start a test broker: in each of 3 attempts another socket took a port")
                .hasMessageContaining("attempt 1: node-0 CONTROLLER 127.0.0.1:40001")
                .hasMessageContaining("attempt 2: node-0 CONTROLLER 127.0.0.1:40002")
                .hasMessageContaining("attempt 3: node-0 CONTROLLER 127.0.0.1:40003")
                .hasCauseInstanceOf(BindException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2));
        assertThat(attempts).hasValue(PortRetry.ATTEMPTS);
    }

    @Test
    void anyOtherFailureEndsTheStartAtOnce() {
        assertThatThrownBy(() -> PortRetry.start("a test broker", () -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("bad configuration");
        })).hasMessage("bad configuration");
        assertThat(attempts).hasValue(1);
    }

    private static PortTakenException portTaken(String ports) {
        return new PortTakenException(ports, List.of(), new BindException("Address already in use"));
    }
}
