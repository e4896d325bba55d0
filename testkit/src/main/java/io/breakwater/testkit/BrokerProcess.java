package io.breakwater.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One JVM running {@link KafkaNodeMain}: its output goes to a log file, and it counts as started once it
 * prints {@value KafkaNodeMain#READY}. Thread-safe.
 */
final class BrokerProcess {

    /** Lines of the broker's output an error message quotes. */
    private static final int TAIL_LINES = 30;

    private final Process process;
    private final Path logFile;
    // True at the ready line, false when the output ends first.
    private final CompletableFuture<Boolean> ready = new CompletableFuture<>();

    private BrokerProcess(Process process, Path logFile) {
        this.process = process;
        this.logFile = logFile;
    }

    /** Starts the JVM, its output copied to {@code logFile}; returns at once (see {@link #awaitReady}). */
    static BrokerProcess launch(ProcessBuilder command, Path logFile) {
        Process process;
        try {
            process = command.redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a JVM for the broker: " + command.command().get(0), e);
        }
        BrokerProcess p = new BrokerProcess(process, logFile);
        Thread reader = new Thread(() -> copyOutput(process, logFile, p.ready), "forked-kafka-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    /**
     * Returns once the broker is ready. If it exits first (killed by another thread, say), or is not ready within
     * {@code timeout}, it is killed, and the exception quotes the end of its output.
     */
    void awaitReady(Duration timeout) {
        boolean up;
        try {
            up = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            up = false;
        } catch (ExecutionException e) {
            up = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while the forked broker started", e);
        }
        if (!up) {
            String why = process.isAlive() ? "did not start within " + timeout : "exited with " + exitValue(process);
            kill();
            throw new IllegalStateException("the forked broker " + why + "; the end of its output (" + logFile + "):\n"
                    + tail(logFile));
        }
    }

    /** Copies the output to {@code logFile}; {@code ready} becomes true at the ready line, false at the end. */
    private static void copyOutput(Process p, Path logFile, CompletableFuture<Boolean> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Files.writeString(logFile, line + System.lineSeparator(), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                if (line.equals(KafkaNodeMain.READY)) {
                    ready.complete(true);
                }
            }
        } catch (IOException e) {
            // the process ended, or the directory was removed on close
        } finally {
            ready.complete(false);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * SIGTERM, which runs the broker's shutdown hook (Kafka's controlled shutdown), then SIGCONT so that a
     * frozen broker gets to handle it; waits up to {@code timeout} for the process to end.
     *
     * @return whether it ended in time
     */
    boolean terminate(Duration timeout) {
        process.destroy();
        try {
            JavaProcess.signal(process.pid(), "CONT");
        } catch (RuntimeException e) {
            // it ended already
        }
        try {
            return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for broker pid " + process.pid() + " to stop", e);
        }
    }

    /** SIGKILL, and waits for the process to end. */
    void kill() {
        process.destroyForcibly();
        awaitExit(process);
    }

    private static int exitValue(Process p) {
        awaitExit(p);
        return p.exitValue();
    }

    private static void awaitExit(Process p) {
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("broker pid " + p.pid() + " did not end within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for broker pid " + p.pid() + " to end", e);
        }
    }

    /** The last lines of {@code logFile}. */
    static String tail(Path logFile) {
        try {
            List<String> lines = Files.exists(logFile) ? Files.readAllLines(logFile, StandardCharsets.UTF_8) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(could not read " + logFile + ": " + e + ")";
        }
    }
}
