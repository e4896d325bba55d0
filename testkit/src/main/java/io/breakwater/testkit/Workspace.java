package io.breakwater.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where tests find the repository they run in, and the command-line tools of this machine. */
public final class Workspace {

    private Workspace() {
    }

    /** The repository root: the nearest folder above the working directory that holds {@code .ci}. */
    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve(".ci"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no repository root (a folder with .ci) above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** The executable {@code name} on the PATH, if there is one. */
    public static Optional<Path> tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
