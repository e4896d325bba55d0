package io.breakwater.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChaosOptionsTest {

    @Test
    void theDefaultsAreAThirtyMinuteRunAtFortyEventsASecondPerWorkload() {
        ChaosOptions o = ChaosOptions.parse();
        assertThat(o.duration()).isEqualTo(Duration.ofMinutes(30));
        assertThat(o.rate()).isEqualTo(40);
        assertThat(o.keys()).isEqualTo(8);
        assertThat(o.threads()).isEqualTo(2);
        assertThat(o.resetTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.results()).isNull();
    }

    @Test
    void everyOptionIsReadAndTheCommandRunsTheSameScheduleAgain() {
        ChaosOptions o = ChaosOptions.parse("--minutes", "2.5", "--seed", "-7", "--rate", "10", "--keys", "4", "--threads",
                "1", "--reset-timeout-seconds", "3", "--out", "/tmp/x", "--results", "/tmp/r.md");
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(150));
        assertThat(o.seed()).isEqualTo(-7);
        assertThat(o.outDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(o.results()).isEqualTo(Path.of("/tmp/r.md"));
        assertThat(o.command()).isEqualTo("chaos/run --minutes 2.50 --seed -7 --rate 10 --keys 4 --threads 1 --reset-timeout-seconds 3");
        assertThat(ChaosOptions.parse(o.command().substring("chaos/run ".length()).split(" ")))
                .isEqualTo(new ChaosOptions(o.duration(), -7, 10, 4, 1, Duration.ofSeconds(3), ChaosOptions.parse().outDir(), null));
        assertThat(ChaosOptions.parse("--minutes", "3", "--seed", "42").command()).isEqualTo("chaos/run --minutes 3 --seed 42");
    }

    @Test
    void badOptionsAreRefusedNamingTheOptionAndTheValue() {
        assertThatThrownBy(() -> ChaosOptions.parse("--hours", "1")).hasMessage("unknown option '--hours'");
        assertThatThrownBy(() -> ChaosOptions.parse("--seed")).hasMessage("--seed needs a value");
        assertThatThrownBy(() -> ChaosOptions.parse("--minutes", "soon")).hasMessage("--minutes must be a number, but was 'soon'");
        assertThatThrownBy(() -> ChaosOptions.parse("--minutes", "0")).hasMessage("--minutes must be in [0.05, 1440.0], but was 0");
        assertThatThrownBy(() -> ChaosOptions.parse("--minutes", "NaN")).hasMessage("--minutes must be in [0.05, 1440.0], but was NaN");
        assertThatThrownBy(() -> ChaosOptions.parse("--rate", "0")).hasMessage("--rate must be in [1, 1000], but was 0");
        assertThatThrownBy(() -> ChaosOptions.parse("--seed", "1.5")).hasMessage("--seed must be a whole number, but was '1.5'");
        assertThatThrownBy(() -> ChaosOptions.parse("--keys", "2", "--threads", "3"))
                .hasMessage("--threads must be at most --keys (2), but was 3");
        assertThatThrownBy(() -> ChaosOptions.parse("stray")).hasMessage("unknown argument 'stray'");
    }
}
