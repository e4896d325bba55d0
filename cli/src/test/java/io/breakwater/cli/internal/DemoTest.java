package io.breakwater.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.BindException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoTest {

    /**
     * A metrics port taken after the command's own check (by another process, in between) fails the demo before it
     * starts a broker or connects a producer, so nothing is left running or unclosed.
     */
    @Test
    void aMetricsPortTakenSinceTheCheckFailsBeforeAnythingStarts() throws Exception {
        StringWriter out = new StringWriter();
        try (ServerSocket taken = new ServerSocket(0)) {
            Demo demo = new Demo(new Demo.Options(Duration.ofSeconds(20), 10, 1, null, false, false,
                    taken.getLocalPort(), Duration.ofSeconds(1)), new PrintWriter(out, true));
            assertThatThrownBy(demo::run).isInstanceOf(DemoMetrics.PortTaken.class).hasCauseInstanceOf(BindException.class);
        }
        assertThat(out.toString()).doesNotContain("Starting a Kafka broker").doesNotContain("spills to");
    }

    /** A cluster that does not answer is the one thing said: not, just before it, that metrics are served. */
    @Test
    void anUnreachableClusterIsSaidWithoutServingMetricsFirst() {
        StringWriter out = new StringWriter();
        Demo demo = new Demo(new Demo.Options(Duration.ofSeconds(20), 10, 1, "no-such-host.invalid:9092", false, false,
                0, Duration.ofSeconds(1)), new PrintWriter(out, true));
        assertThatThrownBy(demo::run).isInstanceOf(Reachability.UnreachableException.class)
                .hasMessageContaining("no-such-host.invalid");
        assertThat(out.toString()).doesNotContain("Serving");
    }

    private static Demo.Seen seen(String breaker, io.breakwater.breaker.CircuitBreakerState from,
                                  io.breakwater.breaker.CircuitBreakerState to, double atSeconds) {
        return new Demo.Seen(new io.breakwater.breaker.StateTransition(breaker, from, to, java.time.Instant.EPOCH, "r", 1, 0,
                0, 0, 0, null), (long) (atSeconds * 1e9));
    }

    /**
     * With a reset timeout longer than the freeze, the breakers open after the freeze and close only after the kill's
     * restart: that close is the kill's, not the resume's, and a breaker still closed at a recovery has no time to close.
     */
    @Test
    void eachFaultsRowsCountOnlyWhatHappenedBeforeTheNextFault() {
        Demo demo = new Demo(new Demo.Options(Duration.ofSeconds(20), 50, 4, null, false, false, null,
                Duration.ofSeconds(10)), new PrintWriter(new StringWriter()));
        demo.faults.add(new Demo.Fault("freeze", 3_000_000_000L, false));
        demo.faults.add(new Demo.Fault("resume", 6_000_000_000L, true));
        demo.faults.add(new Demo.Fault("kill", 9_000_000_000L, false));
        demo.faults.add(new Demo.Fault("restart", 12_000_000_000L, true));
        var closed = io.breakwater.breaker.CircuitBreakerState.CLOSED;
        var open = io.breakwater.breaker.CircuitBreakerState.OPEN;
        demo.transitions.add(seen(Demo.TRANSPORT, closed, open, 5));
        demo.transitions.add(seen(Demo.TRANSPORT, open, closed, 15));
        StringWriter text = new StringWriter();

        new Summary(demo, demo.options(), true).print(new PrintWriter(text));

        String printed = text.toString();
        assertThat(printed).containsPattern("time to open after freeze +2\\.0 s");
        assertThat(printed).as("the close came after the kill's restart").containsPattern("time to close after resume +- ")
                .containsPattern("time to close after restart +3\\.0 s");
    }
}
