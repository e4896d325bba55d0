package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testsupport.ReadmeSnippets;
import org.junit.jupiter.api.Test;

/** The StatusReader example of README.md, compiled and run against the embedded broker as it is written there. */
class ReadmeStatusReaderIT {

    @Test
    void theStatusReaderExampleCompilesAndPrintsTheFleet() throws Exception {
        String output = ReadmeSnippets.run("status-reader");
        assertThat(output).contains("trader-7 orders-producer OPEN since").contains("5 consecutive failure(s)")
                .doesNotContain("not caught up");
    }
}
