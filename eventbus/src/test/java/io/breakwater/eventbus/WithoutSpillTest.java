package io.breakwater.eventbus;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testkit.JavaProcess;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** breakwater-spill is optional: a bus without a spill must work with neither it nor SQLite on the class path. */
class WithoutSpillTest {

    @Test
    void aBusWithoutASpillRunsWithoutTheSpillModuleOnTheClassPath() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("breakwater-spill") && !entry.replace('\\', '/').contains("/spill/target/")
                        && !entry.contains("sqlite-jdbc"))
                .collect(Collectors.joining(File.pathSeparator));
        Process process = new ProcessBuilder(JavaProcess.javaBinary().toString(), "-cp", classPath,
                WithoutSpillMain.class.getName()).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child finished").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("published orders true spills=[]").contains("no spill on the class path");
        assertThat(List.of(classPath.split(File.pathSeparator))).noneMatch(e -> e.contains("sqlite"));
    }
}
