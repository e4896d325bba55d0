package io.breakwater.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.breakwater.breaker.CircuitBreakerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {

    @TempDir
    Path dir;

    @Test
    void whatTheWriterWritesTheReaderReadsBack() throws Exception {
        History.Op ok = new History.Op("bus-1", "bus", "k-0", 0, 1_500, 12, 20_250, Outcome.ok(1, 7));
        History.Op pending = new History.Op("bus-2", "bus", "k-1", 0, 2_000, 3_000_000, -1, Outcome.PENDING);
        History.Transition t = new History.Transition(12_109_251, "bus", "eventbus-chaos-bus", CircuitBreakerState.CLOSED,
                CircuitBreakerState.OPEN, "stalled:\tno send answered");
        History.FaultEvent f = new History.FaultEvent(10_000_000, 10_100_000, true, 1, FaultKind.KILL_MAJORITY, "0,2", "killed");
        Path file = dir.resolve("history.tsv");
        try (HistoryWriter writer = new HistoryWriter(file)) {
            writer.write(History.metaLine("seed", "42"));
            writer.write(ok.line());
            writer.write(pending.line());
            writer.write(t.line());
            writer.write(f.line());
        }
        History read = History.read(file);
        assertThat(read.meta()).containsEntry("seed", "42");
        assertThat(read.ops()).containsExactly(ok, pending);
        assertThat(read.transitions()).singleElement().satisfies(r -> {
            assertThat(r.atMicros()).isEqualTo(12_109_251);
            assertThat(r.reason()).isEqualTo("stalled: no send answered");
        });
        assertThat(read.faults()).containsExactly(f);
        assertThat(Files.readAllLines(file).get(1)).isEqualTo("op\tbus-1\tbus\tk-0\t0\t1.500\t0.012\t20.250\tok 1:7");
    }

    @Test
    void aFaultLineWithoutItsBeginBeganWhenItTookEffect() throws Exception {
        Path file = dir.resolve("old.tsv");
        Files.writeString(file, "fault\t11524.351\tstart\t1\tCONTROLLED_SHUTDOWN\t1\tstopped cleanly\n");
        assertThat(History.read(file).faults()).containsExactly(new History.FaultEvent(11_524_351, 11_524_351, true, 1,
                FaultKind.CONTROLLED_SHUTDOWN, "1", "stopped cleanly"));
    }

    @Test
    void timesAreMillisecondsToTheMicrosecond() {
        for (long micros : List.of(0L, 5L, 999L, 1_000L, 1_234_567L, -42L)) {
            assertThat(History.micros(History.millis(micros))).isEqualTo(micros);
        }
        assertThat(History.millis(1_234_567)).isEqualTo("1234.567");
        assertThat(History.millis(5)).isEqualTo("0.005");
    }

    @Test
    void aLineThatIsNoEntryIsNamedWithItsNumber() throws Exception {
        Path file = dir.resolve("bad.tsv");
        Files.writeString(file, "# seed=1\nop\tonly\tthree\n");
        assertThatThrownBy(() -> History.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + " line 2 is not a history entry: op\tonly\tthree")
                .hasRootCauseMessage("9 fields expected, but there were 3");
    }
}
