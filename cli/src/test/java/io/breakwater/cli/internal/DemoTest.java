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
}
