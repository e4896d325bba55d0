package io.breakwater.spring;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What every slf4j logger of this JVM wrote to the build's log file ({@code org.slf4j.simpleLogger.logFile},
 * {@code target/surefire-tests.log}) from the moment this was made.
 */
public final class LogFile {

    private final Path file;
    private final long start;

    private LogFile(Path file, long start) {
        this.file = file;
        this.start = start;
    }

    /** Marks the end of the log file as it is now. */
    public static LogFile fromNow() {
        String name = System.getProperty("org.slf4j.simpleLogger.logFile");
        if (name == null || name.equals("System.err") || name.equals("System.out")) {
            throw new IllegalStateException("this test reads the log file that org.slf4j.simpleLogger.logFile names "
                    + "(the build sets it); it is " + name);
        }
        Path file = Path.of(name);
        try {
            return new LogFile(file, Files.exists(file) ? Files.size(file) : 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines written since the mark that contain {@code part}. */
    public List<String> containing(String part) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length <= start) {
                return List.of();
            }
            byte[] bytes = new byte[(int) (length - start)];
            in.seek(start);
            in.readFully(bytes);
            return Arrays.stream(new String(bytes, StandardCharsets.UTF_8).split("\n")).filter(l -> l.contains(part)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
