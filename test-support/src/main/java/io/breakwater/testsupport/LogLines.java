package io.breakwater.testsupport;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The lines every slf4j logger of this JVM wrote to the build's log file ({@code org.slf4j.simpleLogger.logFile}, which
 * the build sets: {@code target/surefire-tests.log}, {@code target/failsafe-tests.log}) from the moment this was made:
 * what a test logged, as operators would read it.
 */
public final class LogLines {

    private final Path file;
    private final long start;

    private LogLines(Path file, long start) {
        this.file = file;
        this.start = start;
    }

    /** Marks the end of the log file as it is now. */
    public static LogLines fromNow() {
        String name = System.getProperty("org.slf4j.simpleLogger.logFile");
        if (name == null || name.equals("System.err") || name.equals("System.out")) {
            throw new IllegalStateException("these tests read the log file that org.slf4j.simpleLogger.logFile names "
                    + "(the build sets it); it is " + name);
        }
        // Logging starts first: slf4j's simple logger opens (and empties) the file as its first logger is made, which
        // would cut a mark taken before it, a test's first in its JVM, past the end of what is then written.
        org.slf4j.LoggerFactory.getLogger(LogLines.class);
        Path file = Path.of(name);
        try {
            return new LogLines(file, Files.exists(file) ? Files.size(file) : 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every line written since the mark. */
    public List<String> lines() {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length <= start) {
                return List.of();
            }
            byte[] bytes = new byte[(int) (length - start)];
            in.seek(start);
            in.readFully(bytes);
            return Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines since the mark that contain every one of {@code parts}. */
    public List<String> containing(String... parts) {
        return lines().stream().filter(line -> Arrays.stream(parts).allMatch(line::contains)).toList();
    }

    /** Everything written since the mark, as one text. */
    public String text() {
        return String.join("\n", lines());
    }
}
