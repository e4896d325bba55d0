package io.breakwater.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The temporary directories that hold the data of test brokers. */
final class TempDirectories {

    private TempDirectories() {
    }

    /** A new directory under the system's temporary directory, named {@code prefix...}. */
    static Path create(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temporary directory " + prefix + "*", e);
        }
    }

    /** A new directory under {@code parent} (created if missing), named {@code prefix...}; null parent: the system's. */
    static Path create(String prefix, Path parent) {
        if (parent == null) {
            return create(prefix);
        }
        try {
            return Files.createTempDirectory(Files.createDirectories(parent), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a directory " + prefix + "* in " + parent, e);
        }
    }

    /** {@code dir} as a new empty directory: whatever it held is removed. */
    static Path empty(Path dir) {
        deleteRecursively(dir);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + dir, e);
        }
    }

    /** Removes {@code dir} and everything in it; nothing happens when it does not exist. */
    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
            for (Path p : deepestFirst) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }
}
