package io.breakwater.cli;

import io.breakwater.status.ControlCommand;
import java.time.Instant;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code breakwater reset NAME}. */
@Command(name = "reset", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Reset a breaker on every instance, or one: back to CLOSED with empty counts, running on its own; it "
                + "replaces a force-open or disable for the same instances.")
final class ResetCommand extends SwitchCommand {

    /** Taken only to say that a reset has no duration, instead of "Unknown option". */
    @Option(names = "--for", hidden = true, paramLabel = "DURATION")
    String lastingRefused;

    @Override
    ControlCommand.Action action() {
        return ControlCommand.Action.RESET;
    }

    @Override
    ControlCommand command(Instant now) {
        if (lastingRefused != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--for does not apply to reset: a reset holds "
                    + "nothing, the breaker runs on its own at once; --for is for force-open and disable");
        }
        return super.command(now);
    }
}
