package io.breakwater.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Starts a class of this classpath in a new JVM: the java binary and classpath of the current one. */
public final class JavaProcess {

    /**
     * The system property that gives forked brokers a classpath of their own; without it they get this JVM's.
     * Set it when this JVM runs another kafka-clients than the broker needs, as the compatibility tests do.
     */
    public static final String BROKER_CLASS_PATH_PROPERTY = "breakwater.broker.classpath";

    private JavaProcess() {
    }

    /** The {@code java} launcher of the running JVM. */
    public static Path javaBinary() {
        Path java = Path.of(System.getProperty("java.home"), "bin", isWindows() ? "java.exe" : "java");
        if (!Files.isExecutable(java)) {
            throw new IllegalStateException("no java launcher at " + java + " (java.home=" + System.getProperty("java.home") + ")");
        }
        return java;
    }

    /**
     * The classpath of the running JVM. Under Surefire or Failsafe this may be one manifest-only jar whose
     * {@code Class-Path} lists the real entries; the launcher follows it, so it is passed on as it is.
     */
    public static String classPath() {
        String classPath = System.getProperty("java.class.path");
        if (classPath == null || classPath.isBlank()) {
            throw new IllegalStateException("java.class.path is empty: cannot start a JVM with the same classes");
        }
        return classPath;
    }

    /** The classpath of a forked broker: {@value #BROKER_CLASS_PATH_PROPERTY} if set, else {@link #classPath()}. */
    public static String brokerClassPath() {
        String own = System.getProperty(BROKER_CLASS_PATH_PROPERTY);
        return own == null || own.isBlank() ? classPath() : own;
    }

    /** A process builder for {@code java [jvmOptions] -cp <this JVM's classpath> mainClass [args]}. */
    public static ProcessBuilder builder(Class<?> mainClass, List<String> jvmOptions, List<String> args) {
        return builder(mainClass, classPath(), jvmOptions, args);
    }

    /** A process builder for {@code java [jvmOptions] -cp classPath mainClass [args]}. */
    public static ProcessBuilder builder(Class<?> mainClass, String classPath, List<String> jvmOptions, List<String> args) {
        Objects.requireNonNull(mainClass, "mainClass");
        Objects.requireNonNull(classPath, "classPath");
        List<String> command = new ArrayList<>();
        command.add(javaBinary().toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass.getName());
        command.addAll(args);
        return new ProcessBuilder(command);
    }

    /** Sends a POSIX signal (STOP, CONT, KILL, TERM) to a process. */
    public static void signal(long pid, String signal) {
        if (isWindows()) {
            throw new UnsupportedOperationException("POSIX signals are not available on Windows");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes());
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + output.trim());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not run kill -" + signal + " " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending " + signal + " to " + pid, e);
        }
    }

    private static boolean isWindows() {
        return File.separatorChar == '\\';
    }
}
