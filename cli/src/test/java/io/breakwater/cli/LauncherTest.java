package io.breakwater.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code breakwater} launcher's checks of the Java it runs, made before it builds or runs anything. */
class LauncherTest {

    private static final Path LAUNCHER = Paths.get("..", "breakwater").toAbsolutePath().normalize();

    private record Run(int exitCode, String err) {
    }

    private static Run launch(String javaHome) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", LAUNCHER.toString(), "--version").redirectErrorStream(false);
        builder.environment().put("JAVA_HOME", javaHome);
        Process process = builder.start();
        process.getOutputStream().close();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the launcher ended").isTrue();
        return new Run(process.exitValue(), new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** A JAVA_HOME whose java says it is {@code version}, as {@code -XshowSettings:properties} does. */
    private static String javaOf(Path dir, String version) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho '    java.specification.version = " + version + "' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir.toString();
    }

    @Test
    void aJavaBefore17IsNamedWithItsVersionBeforeAnythingIsBuilt(@TempDir Path dir) throws Exception {
        for (String old : new String[] {"11", "1.8"}) {
            String home = javaOf(dir.resolve(old), old);
            Run run = launch(home);
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("breakwater: " + home + "/bin/java is Java " + (old.equals("1.8") ? "8" : old)
                    + "; it needs Java 17 or later (set JAVA_HOME)").doesNotContain("Building");
        }
    }

    @Test
    void aJavaHomeWithoutJavaIsSaidSo(@TempDir Path dir) throws Exception {
        Run run = launch(dir.resolve("no-such-jdk").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("breakwater: no Java found (JAVA_HOME=" + dir.resolve("no-such-jdk")
                + ", PATH); it needs Java 17 or later");
    }
}
