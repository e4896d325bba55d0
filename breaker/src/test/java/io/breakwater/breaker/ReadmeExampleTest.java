package io.breakwater.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testsupport.ReadmeSnippets;
import org.junit.jupiter.api.Test;

/** The core-API example of README.md, compiled and run as it is written there. */
class ReadmeExampleTest {

    @Test
    void theCoreExampleCompilesAndOpensTheBreaker() throws Exception {
        String output = ReadmeSnippets.run("core");
        assertThat(output)
                .contains("'payments-api' CLOSED -> OPEN #1")
                .contains("Circuit breaker 'payments-api' is OPEN; next call permitted at");
    }
}
