package io.breakwater.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreakerState;
import io.breakwater.breaker.StateTransition;
import io.breakwater.eventbus.SpillStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plain (not redrawn) live view: the timeline in the order things happened, whichever list they came in. */
class LiveViewTest {

    private static StateTransition opened(String breaker) {
        return new StateTransition(breaker, CircuitBreakerState.CLOSED, CircuitBreakerState.OPEN, Instant.now(), "stalled",
                1, 0, 0, 0, 0, null);
    }

    @Test
    void faultsAndTransitionsSeenInOneTickArePrintedInTheOrderTheyHappened() {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        Demo.Options options = new Demo.Options(Duration.ofSeconds(30), 10, 1, null, false, false, null, Duration.ofSeconds(3));
        Demo demo = new Demo(options, out);
        demo.transitions.add(new Demo.Seen(opened("eventbus-orders"), 2_100_000_000L));
        demo.faults.add(new Demo.Fault("broker resumed (SIGCONT)", 3_000_000_000L, true));
        demo.faults.add(new Demo.Fault("broker frozen (SIGSTOP)", 500_000_000L, false));
        demo.transitions.add(new Demo.Seen(opened("redpanda_transport"), 2_000_000_000L));
        LiveView view = new LiveView(demo, List.of(), () -> new SpillStatus("none", 0, 0, 0, 0, 0, 0, 0), out, options);
        view.stop();
        view.loop();   // stopped: prints what is new once, and returns

        assertThat(text.toString().lines().toList()).containsExactly(
                "  0.5s  ** broker frozen (SIGSTOP)",
                "  2.0s  redpanda_transport CLOSED -> OPEN: stalled",
                "  2.1s  eventbus-orders CLOSED -> OPEN: stalled",
                "  3.0s  ** broker resumed (SIGCONT)");
    }
}
