package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testkit.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The rules of the tree that a reader relies on: what a module may use of another, and of Kafka. */
class TreeRulesTest {

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([a-z0-9_.]+)\\.[A-Za-z0-9_*]+;", Pattern.MULTILINE);
    /** A use of a kafka-clients {@code internals} package: in an import, or a qualified name in the code. */
    private static final Pattern KAFKA_INTERNALS = Pattern.compile("\\borg\\.apache\\.kafka\\.(?:[a-z0-9_]+\\.)*internals\\.[A-Za-z0-9_*]+");

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

    /** The uses of Kafka's {@code internals} packages in {@code source}, as {@code line: name}. */
    static List<String> kafkaInternalsUses(String source) {
        List<String> uses = new ArrayList<>();
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = KAFKA_INTERNALS.matcher(lines[i]);
            while (m.find()) {
                uses.add((i + 1) + ": " + m.group());
            }
        }
        return uses;
    }

    /** The artifact of the module in {@code dir} (the one after its parent in its pom), or null. */
    private static String artifactId(Path dir) throws IOException {
        Matcher id = Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>").matcher(Files.readString(dir.resolve("pom.xml")));
        return id.find() ? id.group(1) : null;
    }

    /** The folders of the library modules: those whose artifact the BOM lists, but the testkit. */
    private static List<Path> libraryModules() throws IOException {
        Path root = Workspace.root();
        String bom = Files.readString(root.resolve("bom/pom.xml"));
        List<Path> modules = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(d -> Files.isRegularFile(d.resolve("pom.xml"))).sorted().toList()) {
                String id = artifactId(dir);
                // The testkit runs Kafka's broker itself, and may use what the broker offers.
                if (id != null && bom.contains("<artifactId>" + id + "</artifactId>") && !id.equals("breakwater-testkit")) {
                    modules.add(dir);
                }
            }
        }
        return modules;
    }

    @Test
    void noLibraryModuleUsesKafkasInternalsPackages() throws IOException {
        // kafka-clients moves and drops what is in its internals packages between releases (AppInfoParser moved in 4.x),
        // and Breakwater runs on every release from 3.7 to 4.4.
        List<Path> modules = libraryModules();
        assertThat(modules).extracting(m -> m.getFileName().toString()).contains("interceptors", "eventbus", "status", "spill");
        List<String> uses = new ArrayList<>();
        for (Path source : mainSources()) {
            if (modules.contains(moduleOf(source))) {
                for (String use : kafkaInternalsUses(Files.readString(source))) {
                    uses.add(Workspace.root().relativize(source) + ":" + use);
                }
            }
        }
        assertThat(uses).as("library code using kafka-clients' internals packages").isEmpty();
    }

    @Test
    void theInternalsRuleSeesImportsAndQualifiedNames() {
        assertThat(kafkaInternalsUses("""
                import org.apache.kafka.clients.producer.KafkaProducer;
                import org.apache.kafka.common.utils.internals.AppInfoParser;
                import static org.apache.kafka.clients.producer.internals.BuiltInPartitioner.*;
                class A { String v = org.apache.kafka.common.header.internals.RecordHeaders.class.getName(); }
                // org.apache.kafka.clients.producer.Producer and io.breakwater.interceptors.internal.X are fine
                """)).containsExactly("2: org.apache.kafka.common.utils.internals.AppInfoParser",
                "3: org.apache.kafka.clients.producer.internals.BuiltInPartitioner",
                "4: org.apache.kafka.common.header.internals.RecordHeaders");
    }

    @Test
    void theReadmesKafkaClientsMatrixHoldsTheReleasesCiTests() throws IOException {
        Path root = Workspace.root();
        assertThat(Files.readString(root.resolve(".ci/run"))).as(".ci/run runs module compat on each kafka-clients release")
                .contains("-pl compat -am verify -Pkafka-clients-releases");
        String compatPom = Files.readString(root.resolve("compat/pom.xml"));
        String profile = compatPom.substring(compatPom.indexOf("<id>kafka-clients-releases</id>"));
        // Each execution of the profile: its id, the kafka-clients it puts on the test classpath, the release it tells
        // the tests they run on.
        Matcher execution = Pattern.compile("<id>kafka-clients-([0-9.]+)</id>.*?<version>([^<]+)</version>.*?"
                + "<compat.kafka.version>([^<]+)</compat.kafka.version>", Pattern.DOTALL).matcher(profile);
        Set<String> tested = new TreeSet<>();
        while (execution.find()) {
            assertThat(List.of(execution.group(2), execution.group(3))).as("execution kafka-clients-%s", execution.group(1))
                    .containsOnly(execution.group(1));
            tested.add(execution.group(1));
        }
        assertThat(tested).as("releases of -Pkafka-clients-releases").isNotEmpty();
        Matcher built = Pattern.compile("<kafka.version>([^<]+)</kafka.version>").matcher(Files.readString(root.resolve("pom.xml")));
        assertThat(built.find()).isTrue();
        tested.add(built.group(1)); // the main build runs module compat on the release it compiles against
        String readme = Files.readString(root.resolve("README.md"));
        int start = readme.indexOf("### Kafka client versions");
        assertThat(start).as("README section 'Kafka client versions'").isNotNegative();
        String section = readme.substring(start, readme.indexOf("\n#", start + 1));
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("^\\| `([0-9.]+)` \\|", Pattern.MULTILINE).matcher(section);
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertThat(documented).as("kafka-clients releases in the README's matrix").isEqualTo(tested);
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
                String id = artifactId(dir);
                if (id != null && !List.of("breakwater-cli", "breakwater-bench", "breakwater-chaos", "breakwater-src-it",
                        "breakwater-test-support").contains(id) && !bom.contains("<artifactId>" + id + "</artifactId>")) {
                    missing.add(id);
                }
            }
        }
        assertThat(missing).as("library modules missing from bom/pom.xml").isEmpty();
    }

    @Test
    void everyModuleIsNamedForItsRootPackageAndTheReadmeGivesEveryLibraryModulesName() throws IOException {
        Path root = Workspace.root();
        List<String> misnamed = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(d -> Files.isDirectory(d.resolve("src/main/java"))).sorted().toList()) {
                String named = moduleName(dir);
                String rootPackage = rootPackage(dir);
                if (!rootPackage.equals(named)) {
                    misnamed.add(root.relativize(dir) + ": named " + named + ", root package " + rootPackage);
                }
            }
        }
        assertThat(misnamed).as("modules whose breakwater.module.name (their jar's Automatic-Module-Name) is not their "
                + "root package").isEmpty();
        String readme = Files.readString(root.resolve("README.md"));
        String modulePath = readme.substring(readme.indexOf("### On the module path"),
                readme.indexOf("<!-- snippet: module-info -->"));
        List<String> unnamed = new ArrayList<>();
        for (Path module : libraryModules()) {
            if (!modulePath.contains("`" + moduleName(module) + "`")) {
                unnamed.add(moduleName(module));
            }
        }
        assertThat(unnamed).as("library modules the README's \"On the module path\" does not name").isEmpty();
    }

    private static String moduleName(Path dir) throws IOException {
        Matcher name = Pattern.compile("<breakwater.module.name>([^<]+)</breakwater.module.name>")
                .matcher(Files.readString(dir.resolve("pom.xml")));
        return name.find() ? name.group(1) : "(none)";
    }

    /** The package of a module's main sources that holds, or is above, every other. */
    private static String rootPackage(Path dir) throws IOException {
        Path sources = dir.resolve("src/main/java");
        try (Stream<Path> files = Files.walk(sources)) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .map(f -> sources.relativize(f.getParent()).toString().replace('/', '.'))
                    .reduce((a, b) -> {
                        while (!a.isEmpty() && !(b + ".").startsWith(a + ".")) {
                            a = a.contains(".") ? a.substring(0, a.lastIndexOf('.')) : "";
                        }
                        return a;
                    }).orElse("(no sources)");
        }
    }
}
