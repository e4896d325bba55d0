package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A client nobody here wrote (Debian's kcat) against the test broker. */
@RealBroker
class KcatIT {

    static Path kcat() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "kcat");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    @BeforeAll
    static void needsKcat() {
        boolean ci = "true".equals(System.getenv("CI"));
        if (ci) {
            assertThat(kcat()).as("kcat must be installed in CI (.ci/run installs it)").isNotNull();
        }
        Assumptions.assumeTrue(kcat() != null, "kcat is not installed: apt-get install -y kcat");
    }

    static String run(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kcat exit code; output:\n%s", output).isZero();
        return output;
    }

    @Test
    void kcatListsTheClusterMetadata(TestBroker broker) throws Exception {
        broker.createTopic("kcat-metadata", 2, 1, Map.of());
        String metadata = run(kcat().toString(), "-b", broker.bootstrapServers(), "-L", "-t", "kcat-metadata");
        assertThat(metadata).contains("broker").contains("topic \"kcat-metadata\" with 2 partitions");
    }

    @Test
    void kcatConsumesATopicWrittenFromJava(TestBroker broker) throws Exception {
        broker.createTopic("kcat-consume", 1, 1, Map.of());
        Records.produce(broker.bootstrapServers(), "kcat-consume", 25);
        String consumed = run(kcat().toString(), "-b", broker.bootstrapServers(), "-C", "-t", "kcat-consume",
                "-o", "beginning", "-e", "-q", "-f", "%k=%s\\n");
        List<String> lines = consumed.lines().toList();
        assertThat(lines).hasSize(25).startsWith("key-0=0", "key-1=1").endsWith("key-8=24");
    }
}
