package io.breakwater.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles and runs a Java snippet of the repository's README.md, marked {@code <!-- snippet: NAME -->}
 * before its code block, so the README cannot drift from the code. For {@link #run(String)}, imports go to the
 * top of a generated class and the rest becomes the body of its {@code main}; {@link #compileClass(String)}
 * compiles a snippet that is a whole source file (imports and a public class) and hands the class to the test.
 */
public final class ReadmeSnippets {

    private ReadmeSnippets() {
    }

    /** Compiles and runs snippet {@code name} of README.md; returns what it printed. */
    public static String run(String name) throws Exception {
        String code = snippet(name);
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : code.split("\n", -1)) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        String className = "ReadmeSnippet_" + name.replaceAll("\\W", "_");
        String source = imports + "public class " + className + " {\n"
                + "    public static void main(String[] args) throws Exception {\n" + body + "    }\n}\n";
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader loader = compile(name, className, source)) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            Method main = loader.loadClass(className).getMethod("main", String[].class);
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(original);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        original.print(printed);
        return printed;
    }

    /**
     * Compiles snippet {@code name} of README.md as a source file of its own, as it stands (its imports, then
     * {@code public class NAME}), and returns that class, loaded, for a test to use.
     */
    public static Class<?> compileClass(String name) throws Exception {
        String code = snippet(name);
        Matcher declared = Pattern.compile("^public (?:final )?class (\\w+)", Pattern.MULTILINE).matcher(code);
        if (!declared.find()) {
            throw new AssertionError("README snippet '" + name + "' declares no public class");
        }
        // The loader stays open: the class is used after this returns.
        @SuppressWarnings("resource")
        URLClassLoader loader = compile(name, declared.group(1), code);
        return loader.loadClass(declared.group(1));
    }

    /** Compiles {@code source}, the class {@code className} from snippet {@code name}, into a loader of its own. */
    private static URLClassLoader compile(String name, String className, String source) throws IOException {
        Path dir = Files.createTempDirectory("readme-snippet");
        Path file = dir.resolve(className + ".java");
        Files.writeString(file, source);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = compiler.run(null, null, diagnostics, "-classpath", classPath(), "-d", dir.toString(), file.toString());
        if (rc != 0) {
            throw new AssertionError("README snippet '" + name + "' does not compile:\n"
                    + diagnostics.toString(StandardCharsets.UTF_8) + "\n" + source);
        }
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, ReadmeSnippets.class.getClassLoader());
    }

    /** The code of snippet {@code name} of README.md. */
    public static String snippet(String name) throws IOException {
        String readme = Files.readString(readme());
        Matcher m = Pattern.compile("<!-- snippet: " + Pattern.quote(name) + " -->\\s*```java\\n(.*?)```",
                Pattern.DOTALL).matcher(readme);
        if (!m.find()) {
            throw new AssertionError("README.md has no snippet '" + name + "'");
        }
        return m.group(1);
    }

    /** README.md of the repository the tests run in: the nearest folder above the working directory with .ci. */
    private static Path readme() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(".ci"))) {
                return dir.resolve("README.md");
            }
        }
        throw new IllegalStateException("no repository root (a folder with .ci) above " + start);
    }

    private static String classPath() {
        // Surefire may start the JVM from a manifest-only jar; its Class-Path lists the real entries.
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            entries.add(entry);
        }
        String surefire = System.getProperty("surefire.test.class.path");
        if (surefire != null) {
            entries.add(surefire);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}
