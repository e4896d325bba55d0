package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testsupport.ReadmeSnippets;
import org.junit.jupiter.api.Test;

/** The GatedConsumer example of README.md, compiled and run against the embedded broker as it is written there. */
class ReadmeConsumerIT {

    @Test
    void theConsumerExampleCompilesAndWritesTheRecord() throws Exception {
        String output = ReadmeSnippets.run("consumer");
        assertThat(output).contains("written {o-42=BUY 100}; ConsumerStats[name=orders-store, breaker=orders-store, state=CLOSED")
                .contains("recordsHandled=1");
    }
}
