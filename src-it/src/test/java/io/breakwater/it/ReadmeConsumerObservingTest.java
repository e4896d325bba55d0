package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.CircuitBreaker;
import io.breakwater.consumer.GatedConsumer;
import io.breakwater.testsupport.ReadmeSnippets;
import java.lang.reflect.Method;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The observing-mode example of README.md ("Two modes"), compiled as it stands there. */
class ReadmeConsumerObservingTest {

    @Test
    void theObservingModeExampleCompiles() throws Exception {
        Class<?> example = ReadmeSnippets.compileClass("consumer-observing");
        Method start = example.getMethod("start", DataSource.class, CircuitBreaker.class, Map.class);

        assertThat(start.getReturnType()).isEqualTo(GatedConsumer.class);
    }
}
