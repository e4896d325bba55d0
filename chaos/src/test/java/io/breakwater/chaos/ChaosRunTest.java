package io.breakwater.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ChaosRunTest {

    @Test
    void chaosItsTimeoutOutlastsEveryBoundedWaitOfItsRun() throws Exception {
        Timeout timeout = ChaosIT.class.getDeclaredMethod(
                "aSeededScheduleOfMixedFaultsLosesNothingLeaksNothingAndLeavesNothingPending").getAnnotation(Timeout.class);
        Duration waits = ChaosRun.boundedWaits(Duration.ofMinutes(ChaosIT.MINUTES));
        assertThat(Duration.of(timeout.value(), timeout.unit().toChronoUnit())).isGreaterThanOrEqualTo(waits);
        assertThat(waits).isEqualTo(Duration.ofSeconds(120 + 60 + 180 + 60 + 300 + 180 + 20 + 60 + 120 + 180 + 150 + 120));
    }
}
