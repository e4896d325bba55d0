package io.breakwater.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code breakwater demo}, {@code status}, and the fleet-wide switch: {@code force-open}, {@code disable}, {@code reset}. */
@Command(name = "breakwater", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Circuit breakers for Kafka and Redpanda producers.",
        subcommands = {DemoCommand.class, StatusCommand.class, ForceOpenCommand.class, DisableCommand.class,
            ResetCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static {
        // A command-line tool talks to its user on stdout; client and broker logs only when something is wrong.
        // The demo shows every transition and outcome itself, so libraries log only errors unless told otherwise
        // (-Dbreakwater.broker.log.level=warn, -Dorg.slf4j.simpleLogger.defaultLogLevel=info).
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "error");
        setIfAbsent(io.breakwater.testkit.BrokerLogging.LEVEL_PROPERTY, "error");
        io.breakwater.testkit.BrokerLogging.apply();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code: 0 done, 1 failed, 2 bad usage. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The command line, with its handling of bad options (what was wrong, then the usage; exit code 2). */
    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler((e, ignored) -> {
                    // Every bad option: what was wrong, then the usage of the command it was given to.
                    CommandLine cmd = e.getCommandLine();
                    cmd.getErr().println(e.getMessage());
                    CommandLine.UnmatchedArgumentException.printSuggestions(e, cmd.getErr());
                    cmd.usage(cmd.getErr());
                    return 2;
                });
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: demo, status, force-open, disable or reset");
    }
}
