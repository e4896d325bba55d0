package io.breakwater.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --for}, of {@code force-open} and {@code disable}: a reset has nothing to hold. */
final class ForOption {

    @Option(names = "--for", paramLabel = "DURATION", converter = Durations.class,
            description = "How long the command holds, such as 15m or 2h (at most 30d); then the breaker runs on its "
                    + "own again. Default: until another command replaces it.")
    Duration lasting;
}
