package io.breakwater.interceptors;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testsupport.ReadmeSnippets;
import org.junit.jupiter.api.Test;

/** The wrapper example of README.md, compiled and run as it is written there. */
class ReadmeWrapperExampleTest {

    @Test
    void theWrapperExampleCompilesAndRuns() throws Exception {
        assertThat(ReadmeSnippets.run("wrapper"))
                .contains("guarded by CircuitBreaker[orders-producer, CLOSED]");
    }
}
