package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs Debian's kcat: in CI it must be there (.ci/run installs it); elsewhere its tests are skipped. */
final class Kcat {

    private Kcat() {
    }

    static Path binary() {
        return io.breakwater.testkit.Workspace.tool("kcat").orElse(null);
    }

    static void require() {
        if ("true".equals(System.getenv("CI"))) {
            assertThat(binary()).as("kcat must be installed in CI (.ci/run installs it)").isNotNull();
        }
        Assumptions.assumeTrue(binary() != null, "kcat is not installed: apt-get install -y kcat");
    }

    static String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kcat exit code; output:\n%s", output).isZero();
        return output;
    }

    /** Every record of {@code topic} from the start, one {@code key<TAB>value} line each. */
    static List<String> consumeAll(String bootstrap, String topic) throws IOException, InterruptedException {
        return run("-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\\t%s\\n").lines().toList();
    }
}
