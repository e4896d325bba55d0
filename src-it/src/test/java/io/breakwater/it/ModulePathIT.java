package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testkit.JavaProcess;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import io.breakwater.testsupport.ReadmeSnippets;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Breakwater on the module path: every library jar names the module an application requires, no two share a package,
 * and an application module of its own ({@code src/test/modular}, whose {@code module-info.java} is the README's)
 * compiles against those names and runs on the module path against the real broker: the breaker, the interceptor that
 * Kafka loads by its class name, the wrapping producer, and an EventBus with a SQLite spill and metrics.
 */
@RealBroker
class ModulePathIT {

    private static final Path MAIN = Path.of("src/test/modular/com/example/orders/Main.java");

    /** The library's jars on this classpath (all but the starter's), by artifact id, and their module names. */
    static final Map<String, String> LIBRARY = Map.ofEntries(
            Map.entry("breakwater-breaker", "io.breakwater.breaker"),
            Map.entry("breakwater-status", "io.breakwater.status"),
            Map.entry("breakwater-interceptors", "io.breakwater.interceptors"),
            Map.entry("breakwater-transport-redpanda", "io.breakwater.transport.redpanda"),
            Map.entry("breakwater-eventbus", "io.breakwater.eventbus"),
            Map.entry("breakwater-spill", "io.breakwater.spill"),
            Map.entry("breakwater-jdbc", "io.breakwater.jdbc"),
            Map.entry("breakwater-consumer", "io.breakwater.consumer"),
            Map.entry("breakwater-metrics", "io.breakwater.metrics"),
            Map.entry("breakwater-state-redis", "io.breakwater.state.redis"),
            Map.entry("breakwater-testkit", "io.breakwater.testkit"));

    @Test
    void everyLibraryJarNamesItsModuleAndNoTwoSharePackages() {
        Map<String, ModuleDescriptor> found = new TreeMap<>();
        for (Path jar : classPathJars()) {
            String artifact = jar.getFileName().toString().replaceFirst("-\\d.*\\.jar$", "");
            if (LIBRARY.containsKey(artifact)) {
                ModuleReference module = ModuleFinder.of(jar).findAll().iterator().next();
                found.put(artifact, module.descriptor());
            }
        }
        assertThat(found.keySet()).as("library jars on this classpath").containsExactlyInAnyOrderElementsOf(LIBRARY.keySet());
        Map<String, String> owner = new HashMap<>();
        found.forEach((artifact, descriptor) -> {
            assertThat(descriptor.name()).as("the module name of %s (its manifest's Automatic-Module-Name)", artifact)
                    .isEqualTo(LIBRARY.get(artifact));
            for (String pkg : descriptor.packages()) {
                assertThat(owner.putIfAbsent(pkg, artifact)).as("package %s in two jars", pkg).isNull();
            }
        });
    }

    @Test
    void anApplicationModuleRequiresBreakwaterByNameAndRunsOnTheModulePath(TestBroker broker, @TempDir Path dir)
            throws Exception {
        String libraries = join(applicationModulePath());
        Path classes = compile(ReadmeSnippets.snippet("module-info"), libraries, dir);

        String output = run(classes + File.pathSeparator + libraries, List.of(), broker, "modular", dir);
        assertThat(output)
                .contains("module com.example.orders, breakwater in io.breakwater.breaker")
                .contains("breaker: called, CLOSED")
                .contains("interceptor: acknowledged at modular-intercepted@0")
                .contains("wrapper: acknowledged at modular-wrapped@0")
                .containsPattern("eventbus: acknowledged at modular-orders@0, spilled false, id \\S+")
                .containsPattern("metrics: [1-9]\\d* meters");
        assertThat(Records.consume(broker.bootstrapServers(), "modular-orders", 1).get(0).value())
                .as("the event as JSON, read by Jackson from the application's own record class")
                .isEqualTo("{\"id\":\"o-1\",\"side\":\"BUY\",\"quantity\":100}");
        assertThat(Records.consume(broker.bootstrapServers(), "modular-status", 2))
                .as("the status topic: the instance, and the interceptor's breaker").extracting(r -> r.value())
                .anyMatch(json -> json.contains("\"breaker\":\"modular-interceptor\""));
    }

    @Test
    void withoutTheExplicitModulesItRequiresTheApplicationRunsWhenStartedWithAllModulesOfThePath(TestBroker broker,
            @TempDir Path dir) throws Exception {
        String readme = ReadmeSnippets.snippet("module-info");
        String bare = readme.replaceAll("(?m)^\\s*requires (org\\.slf4j|com\\.fasterxml\\.jackson\\.datatype\\.jsr310);.*\n", "");
        assertThat(bare).as("the README's module-info without its two explicit modules").isNotEqualTo(readme)
                .doesNotContain("org.slf4j").doesNotContain("jsr310");
        String libraries = join(applicationModulePath());
        Path classes = compile(bare, libraries, dir);

        String output = run(classes + File.pathSeparator + libraries, List.of("--add-modules", "ALL-MODULE-PATH"), broker,
                "bare", dir);
        assertThat(output).containsPattern("eventbus: acknowledged at bare-orders@0, spilled false");
    }

    /** Compiles the application with {@code moduleInfo} as its module-info.java; returns its classes' directory. */
    private static Path compile(String moduleInfo, String libraries, Path dir) throws Exception {
        Path file = dir.resolve("src/module-info.java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, moduleInfo);
        Path classes = dir.resolve("classes");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, diagnostics, "--module-path", libraries,
                "-d", classes.toString(), file.toString(), MAIN.toString());
        assertThat(compiled).as("javac: %s", diagnostics.toString(StandardCharsets.UTF_8)).isZero();
        return classes;
    }

    /** Runs the application on {@code modulePath}, with topics named from {@code prefix}; returns what it printed. */
    private static String run(String modulePath, List<String> options, TestBroker broker, String prefix, Path dir)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(JavaProcess.javaBinary().toString(), "-Xmx256m",
                "--module-path", modulePath));
        command.addAll(options);
        command.addAll(List.of("--module", "com.example.orders/com.example.orders.Main", broker.bootstrapServers(), prefix,
                dir.toString()));
        Path log = dir.resolve(prefix + ".log");
        Process app = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            boolean ended = app.waitFor(60, TimeUnit.SECONDS);
            String output = Files.readString(log);
            System.out.print(output);
            assertThat(ended).as("the application ended within 60 s; it printed:%n%s", output).isTrue();
            assertThat(app.exitValue()).as("exit code; it printed:%n%s", output).isZero();
            return output;
        } finally {
            app.destroyForcibly();
        }
    }

    private static String join(List<Path> paths) {
        return paths.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * The jars of the library and what it runs on, from this JVM's classpath: every jar that is a module, but Kafka's
     * broker and what runs it (the testkit, the CLI), which cannot be on a module path: Kafka's broker jars share
     * packages with kafka-clients.
     */
    private static List<Path> applicationModulePath() {
        Set<String> classPathOnly = Set.of("io.breakwater.testkit", "io.breakwater.cli", "io.breakwater.testsupport");
        List<Path> jars = new ArrayList<>();
        for (Path jar : classPathJars()) {
            Optional<String> name = moduleName(jar);
            if (name.isPresent() && !classPathOnly.contains(name.get())
                    && (!name.get().startsWith("kafka.") || name.get().equals("kafka.clients"))) {
                jars.add(jar);
            }
        }
        return jars;
    }

    private static Optional<String> moduleName(Path jar) {
        try {
            return ModuleFinder.of(jar).findAll().stream().findFirst().map(m -> m.descriptor().name());
        } catch (FindException e) {
            return Optional.empty();   // a jar whose file name makes no module name (kafka_2.13): not for a module path
        }
    }

    /** The jars of this JVM's classpath (Failsafe may start it from a manifest-only jar and name the real ones). */
    private static List<Path> classPathJars() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Path> jars = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry))) {
                jars.add(Path.of(entry));
            }
        }
        return jars;
    }
}
