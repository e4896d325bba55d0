package io.breakwater.cli;

import io.breakwater.status.ControlCommand;
import picocli.CommandLine.Command;

/** {@code breakwater disable NAME}. */
@Command(name = "disable", mixinStandardHelpOptions = true,
        description = "Disable a breaker on every instance, or one: every call is admitted and nothing is counted "
                + "(DISABLED) until the command expires or another replaces it.")
final class DisableCommand extends SwitchCommand {

    @Override
    ControlCommand.Action action() {
        return ControlCommand.Action.DISABLE;
    }
}
