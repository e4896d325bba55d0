package io.breakwater.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.breakwater.status.StatusReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code status --watch}: the table drawn again every interval, in place on a terminal; against a cluster that is away. */
class FleetWatchTest {

    private static final Map<String, Object> AWAY = Map.of("bootstrap.servers", "127.0.0.1:1");

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    /** {@code watch} running on a thread of its own. */
    private static Thread started(FleetWatch watch) {
        Thread runner = new Thread(() -> {
            try {
                watch.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        runner.start();
        return runner;
    }

    /** Runs a watch until it has drawn the table {@code times} times; returns what it printed. */
    private static String watch(boolean redraw, int times) throws Exception {
        StringWriter text = new StringWriter();
        try (StatusReader reader = StatusReader.start(AWAY, "breakwater-status")) {
            FleetWatch watch = new FleetWatch(reader, new PrintWriter(text),
                    new FleetWatch.Options("breakwater-status on 127.0.0.1:1", false, redraw, false, Duration.ofMillis(20)));
            Thread runner = started(watch);
            await().atMost(Duration.ofSeconds(10)).until(() -> count(text.toString(), "Breakwater fleet") >= times);
            watch.stop();
            runner.join(5_000);
            assertThat(runner.isAlive()).as("stopped").isFalse();
        }
        return text.toString();
    }

    @Test
    void onATerminalEachDrawStartsFromAClearedScreen() throws Exception {
        String printed = watch(true, 3);
        assertThat(printed).startsWith(Ansi.HOME_AND_CLEAR + "Breakwater fleet   breakwater-status on 127.0.0.1:1   ");
        assertThat(count(printed, Ansi.HOME_AND_CLEAR)).isEqualTo(count(printed, "Breakwater fleet"));
        assertThat(printed).contains("0 instance(s), 0 breaker(s)   reader CONNECTING");
    }

    @Test
    void elsewhereEachTableFollowsTheLastWithoutEscapes() throws Exception {
        String printed = watch(false, 2);
        assertThat(printed).doesNotContain("\u001b[");
        assertThat(printed).startsWith("Breakwater fleet   breakwater-status on 127.0.0.1:1   ");
        assertThat(count(printed, "Breakwater fleet")).isGreaterThanOrEqualTo(2);
    }

    /** An OutputStream whose reader has gone, as a closed pipe; counts the writes tried. */
    private static java.io.OutputStream closedPipe(java.util.concurrent.atomic.AtomicInteger writes) {
        return new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                writes.incrementAndGet();
                throw new java.io.IOException("Broken pipe");
            }
        };
    }

    /** Whether a watch drawing to {@code out} ended by itself within 5 s. */
    private static boolean endsByItself(PrintWriter out) throws Exception {
        try (StatusReader reader = StatusReader.start(AWAY, "breakwater-status")) {
            FleetWatch watch = new FleetWatch(reader, out,
                    new FleetWatch.Options("breakwater-status on 127.0.0.1:1", false, false, false, Duration.ofMillis(20)));
            Thread runner = started(watch);
            runner.join(5_000);
            boolean ended = !runner.isAlive();
            watch.stop();
            return ended;
        }
    }

    /** As {@code status --watch | head -5}: the reader of the pipe ends, and the watch ends too instead of drawing on. */
    @Test
    void aWatchWhoseOutputClosesEnds() throws Exception {
        java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
        assertThat(endsByItself(new PrintWriter(closedPipe(writes)))).as("ended after its output closed").isTrue();
        assertThat(writes).hasPositiveValue();
    }

    /**
     * As the command line writes: picocli's writer is a PrintWriter over a writer over System.out, and a closed pipe's
     * error stays in System.out's own flag (a PrintStream throws nothing). The watch ends all the same.
     */
    @Test
    void aWatchWhoseStandardOutputClosesEnds() throws Exception {
        java.io.PrintStream before = System.out;
        System.setOut(new java.io.PrintStream(closedPipe(new java.util.concurrent.atomic.AtomicInteger()), true));
        try {
            PrintWriter asPicocliMakesIt = new PrintWriter(new java.io.BufferedWriter(
                    new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8)), true);
            assertThat(endsByItself(asPicocliMakesIt)).as("ended after System.out's pipe closed").isTrue();
        } finally {
            System.setOut(before);
        }
    }
}
