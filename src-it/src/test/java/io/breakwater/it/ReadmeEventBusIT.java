package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testsupport.ReadmeSnippets;
import org.junit.jupiter.api.Test;

/** The EventBus example of README.md, compiled and run against the embedded broker as it is written there. */
class ReadmeEventBusIT {

    @Test
    void theEventBusExampleCompilesAndPublishes() throws Exception {
        String output = ReadmeSnippets.run("eventbus");
        assertThat(output).contains("published to orders-0@0").contains("\"healthy\":true");
    }
}
