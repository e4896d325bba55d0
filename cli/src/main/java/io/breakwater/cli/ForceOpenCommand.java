package io.breakwater.cli;

import io.breakwater.status.ControlCommand;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code breakwater force-open NAME}. */
@Command(name = "force-open", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Force a breaker open on every instance, or one: every call is refused (FORCED_OPEN) until the "
                + "command expires or another replaces it.")
final class ForceOpenCommand extends SwitchCommand {

    @CommandLine.Mixin
    ForOption forOption = new ForOption();

    @Override
    ControlCommand.Action action() {
        return ControlCommand.Action.FORCE_OPEN;
    }

    @Override
    Duration lasting() {
        return forOption.lasting;
    }
}
