package io.breakwater.cli;

import io.breakwater.cli.internal.Ansi;
import io.breakwater.cli.internal.Demo;
import io.breakwater.cli.internal.DemoMetrics;
import io.breakwater.cli.internal.Reachability;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A steady stream through an EventBus and through a plain producer with the interceptor, across faults. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Start a Kafka broker, publish a steady stream two ways (an EventBus, and a KafkaProducer with the "
                + "interceptor) next to a plain KafkaProducer, freeze the broker, restore it, kill it and restart it; "
                + "show every breaker live, then a summary.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--duration", defaultValue = "60s", converter = Durations.class, paramLabel = "DURATION",
            description = "How long to run: up to 24h, and at least 20s with the embedded broker (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--rate", defaultValue = "50", paramLabel = "N",
            description = "Events per second on each path: 1 to 5000 (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--threads", paramLabel = "N",
            description = "Publisher threads on each path, sharing the rate, like a service's request threads: 1 to 64, and "
                    + "at most --rate (default: 4, or --rate when that is lower).")
    Integer threads;

    @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT",
            description = "Use this cluster instead of the embedded broker (no faults are injected then). The demo creates "
                    + "and writes to topics named breakwater-demo-*, publishes its breakers to breakwater-status and follows "
                    + "breakwater-control. It connects in plaintext, without credentials.")
    String bootstrap;

    @Option(names = "--no-color", description = "No colors and no screen redraws.")
    boolean noColor;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve /metrics and /health on this port while running: 0 to 65535.")
    Integer metricsPort;

    @Option(names = "--reset-timeout", defaultValue = "3s", converter = Durations.class, paramLabel = "DURATION",
            description = "How long an open breaker waits before trial calls: 100ms to 1h (default: ${DEFAULT-VALUE}).")
    Duration resetTimeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (rate < 1 || rate > 5_000) {
            throw new CommandLine.ParameterException(cmd, "--rate must be in [1, 5000], but was " + rate);
        }
        if (threads == null) {
            threads = Math.min(4, rate);   // a rate below the default's four threads is no mistake of the user's
        }
        if (threads < 1 || threads > 64 || threads > rate) {
            throw new CommandLine.ParameterException(cmd, "--threads must be in [1, 64] and at most --rate, but was " + threads);
        }
        if (bootstrap != null) {   // as status and the switches judge it
            CommandConfig.checkBootstrap(cmd, bootstrap);
        }
        if (bootstrap == null && duration.compareTo(Duration.ofSeconds(20)) < 0) {
            throw new CommandLine.ParameterException(cmd, "--duration must be at least 20s with the embedded broker "
                    + "(it freezes, restores, kills and restarts it), but was " + Durations.format(duration));
        }
        if (duration.isNegative() || duration.isZero() || duration.compareTo(Duration.ofDays(1)) > 0) {
            throw new CommandLine.ParameterException(cmd, "--duration must be in (0, 24h], but was " + Durations.format(duration));
        }
        if (resetTimeout.toMillis() < 100 || resetTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new CommandLine.ParameterException(cmd, "--reset-timeout must be in [100ms, 1h], but was "
                    + Durations.format(resetTimeout));
        }
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65_535)) {
            throw new CommandLine.ParameterException(cmd, "--metrics-port must be in [0, 65535], but was " + metricsPort);
        }
        if (metricsPort != null && metricsPort != 0) {
            // Found now, before a broker starts and producers connect, not after the warm-up as a stack trace.
            try (java.net.ServerSocket probe = new java.net.ServerSocket(metricsPort)) {
                probe.setReuseAddress(true);
            } catch (java.io.IOException e) {
                throw portTaken(cmd, e);
            }
        }
        boolean tty = Ansi.terminal();
        Demo.Options options = new Demo.Options(duration, rate, threads, bootstrap, !noColor && tty, tty && !noColor, metricsPort,
                resetTimeout);
        try {
            return new Demo(options, cmd.getOut()).run();
        } catch (Reachability.UnreachableException e) {
            cmd.getErr().println(e.getMessage());
            return 1;
        } catch (DemoMetrics.PortTaken e) {
            throw portTaken(cmd, e);   // taken since the check above: the demo binds it before anything else
        }
    }

    private CommandLine.ParameterException portTaken(CommandLine cmd, Exception e) {
        return new CommandLine.ParameterException(cmd, "--metrics-port " + metricsPort + " cannot be served on: "
                + e.getMessage() + "; choose a free port, or 0 for any");
    }
}
