package io.breakwater.cli;

import io.breakwater.status.ControlCommand;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code breakwater disable NAME}. */
@Command(name = "disable", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Disable a breaker on every instance, or one: every call is admitted and nothing is counted "
                + "(DISABLED) until the command expires or another replaces it.")
final class DisableCommand extends SwitchCommand {

    @CommandLine.Mixin
    ForOption forOption = new ForOption();

    @Override
    ControlCommand.Action action() {
        return ControlCommand.Action.DISABLE;
    }

    @Override
    Duration lasting() {
        return forOption.lasting;
    }
}
