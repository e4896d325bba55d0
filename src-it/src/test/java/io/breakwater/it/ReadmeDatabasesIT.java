package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testsupport.ReadmeSnippets;
import org.junit.jupiter.api.Test;

/** The "Databases" example of README.md, compiled and run against this machine's PostgreSQL as it is written there. */
class ReadmeDatabasesIT {

    @Test
    void theDatabasesExampleCompilesAndADuplicateKeyLeavesTheBreakerClosed() throws Exception {
        assertThat(ReadmeSnippets.run("databases")).contains("23505, breaker CLOSED").doesNotContain("later:");
    }
}
