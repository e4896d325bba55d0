package io.breakwater.cli;

import io.breakwater.status.ControlCommand;
import picocli.CommandLine.Command;

/** {@code breakwater force-open NAME}. */
@Command(name = "force-open", mixinStandardHelpOptions = true,
        description = "Force a breaker open on every instance, or one: every call is refused (FORCED_OPEN) until the "
                + "command expires or another replaces it.")
final class ForceOpenCommand extends SwitchCommand {

    @Override
    ControlCommand.Action action() {
        return ControlCommand.Action.FORCE_OPEN;
    }
}
