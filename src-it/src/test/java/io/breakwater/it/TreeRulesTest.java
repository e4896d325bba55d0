package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testkit.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The rules of the tree that a reader relies on: what a module may use of another, and of Kafka. */
class TreeRulesTest {

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([a-z0-9_.]+)\\.[A-Za-z0-9_*]+;", Pattern.MULTILINE);

    private static List<Path> mainSources() throws IOException {
        Path root = Workspace.root();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> root.relativize(p).toString().contains("/src/main/java/"))
                    .filter(p -> !root.relativize(p).startsWith("target"))
                    .toList();
        }
    }

    /** The module folder a source file belongs to: the part of its path before {@code /src/main/java}. */
    private static Path moduleOf(Path source) {
        String path = source.toString();
        return Path.of(path.substring(0, path.indexOf("/src/main/java/")));
    }

    @Test
    void noModuleImportsAnotherModulesInternalPackage() throws IOException {
        List<String> crossings = new ArrayList<>();
        for (Path source : mainSources()) {
            Path module = moduleOf(source);
            Matcher m = IMPORT.matcher(Files.readString(source));
            while (m.find()) {
                String pkg = m.group(1);
                if (pkg.startsWith("io.breakwater.") && pkg.contains(".internal")) {
                    String internal = pkg.substring(0, pkg.indexOf(".internal") + ".internal".length());
                    if (!Files.isDirectory(module.resolve("src/main/java").resolve(internal.replace('.', '/')))) {
                        crossings.add(Workspace.root().relativize(source) + " imports " + pkg);
                    }
                }
            }
        }
        assertThat(crossings).as("imports of another module's internal package").isEmpty();
    }

    @Test
    void nothingUsesKafkasInternalPackages() throws IOException {
        List<String> uses = new ArrayList<>();
        for (Path source : mainSources()) {
            if (moduleOf(source).endsWith("testkit") || moduleOf(source).endsWith("bench")) {
                continue; // the testkit runs the broker itself; the bench measures the client as it is
            }
            Matcher m = IMPORT.matcher(Files.readString(source));
            while (m.find()) {
                if (m.group(1).startsWith("org.apache.kafka") && m.group(1).contains(".internals")) {
                    uses.add(Workspace.root().relativize(source) + " imports " + m.group(1));
                }
            }
        }
        assertThat(uses).as("library code using kafka-clients' internals packages").isEmpty();
    }

    @Test
    void noMainClassIsOverThreeHundredLines() throws IOException {
        List<String> long_ = new ArrayList<>();
        for (Path source : mainSources()) {
            long lines = Files.readAllLines(source).size();
            if (lines > 300) {
                long_.add(Workspace.root().relativize(source) + " (" + lines + " lines)");
            }
        }
        assertThat(long_).as("main classes over 300 lines: split them by responsibility").isEmpty();
    }

    @Test
    void theBomListsEveryLibraryModule() throws IOException {
        Path root = Workspace.root();
        String bom = Files.readString(root.resolve("bom/pom.xml"));
        List<String> missing = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(d -> Files.isDirectory(d.resolve("src/main/java"))).toList()) {
                String pom = Files.readString(dir.resolve("pom.xml"));
                Matcher id = Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>").matcher(pom);
                if (id.find() && !List.of("breakwater-cli", "breakwater-bench", "breakwater-chaos", "breakwater-src-it", "breakwater-test-support")
                        .contains(id.group(1)) && !bom.contains("<artifactId>" + id.group(1) + "</artifactId>")) {
                    missing.add(id.group(1));
                }
            }
        }
        assertThat(missing).as("library modules missing from bom/pom.xml").isEmpty();
    }
}
