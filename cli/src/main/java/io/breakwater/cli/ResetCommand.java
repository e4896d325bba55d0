package io.breakwater.cli;

import io.breakwater.status.ControlCommand;
import picocli.CommandLine.Command;

/** {@code breakwater reset NAME}. */
@Command(name = "reset", mixinStandardHelpOptions = true,
        description = "Reset a breaker on every instance, or one: back to CLOSED with empty counts, running on its own; it "
                + "replaces a force-open or disable for the same instances.")
final class ResetCommand extends SwitchCommand {

    @Override
    ControlCommand.Action action() {
        return ControlCommand.Action.RESET;
    }
}
