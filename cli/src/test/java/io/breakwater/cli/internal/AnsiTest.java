package io.breakwater.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class AnsiTest {

    /** Prints whether {@link Ansi#terminal()} takes its output for a terminal. */
    public static final class TerminalProbe {
        public static void main(String[] args) {
            System.out.println("terminal=" + Ansi.terminal());
        }
    }

    @Test
    void noConsoleIsNoTerminal() {
        assertThat(Ansi.terminal(null)).isFalse();
    }

    @Test
    void outputToAPipeIsNoTerminalOnThisJdk() throws Exception {
        assertThat(probe(Path.of(System.getProperty("java.home"), "bin", "java"))).isEqualTo("terminal=false");
    }

    /** From JDK 22 on, System.console() is there even when the output is a pipe: colours must still stay out of it. */
    @Test
    void outputToAPipeIsNoTerminalOnJdk22AndLater() throws Exception {
        Optional<Path> java = jdkFrom(22);
        assumeTrue(java.isPresent(), "no JDK 22 or later under /usr/lib/jvm");
        assertThat(probe(java.get())).isEqualTo("terminal=false");
    }

    private static String probe(Path java) throws Exception {
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                TerminalProbe.class.getName()).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the probe ended").isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    private static Optional<Path> jdkFrom(int major) throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(home -> Files.isExecutable(home.resolve("bin/java")) && majorOf(home) >= major)
                    .map(home -> home.resolve("bin/java")).findFirst();
        }
    }

    private static int majorOf(Path home) {
        try {
            List<String> release = Files.readAllLines(home.resolve("release"));
            for (String line : release) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(version.split("[.+-]")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
