package io.breakwater.cli;

import io.breakwater.cli.internal.Reachability;
import io.breakwater.status.ControlCommand;
import io.breakwater.status.ControlTopic;
import io.breakwater.status.StatusReader;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code breakwater force-open|disable|reset NAME}: writes an operator's command to the control topic, for every
 * instance or one ({@code --instance}), for a while ({@code --for}, not for reset) or until replaced. Instances with
 * {@code breakwater.control.enabled=true} apply it.
 */
abstract class SwitchCommand implements Callable<Integer> {

    /** The longest {@code --for}. */
    static final Duration MAX_FOR = Duration.ofDays(30);

    @Parameters(index = "0", paramLabel = "NAME", description = "The breaker's name, as the status table shows it.")
    String breaker;

    @Option(names = "--bootstrap-server", required = true, paramLabel = "HOST:PORT",
            description = "The cluster of the control topic (the status topic's).")
    String bootstrap;

    @Option(names = "--topic", defaultValue = ControlTopic.DEFAULT_TOPIC, paramLabel = "TOPIC",
            description = "The control topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--instance", paramLabel = "ID", description = "Only this instance (as the status table names it); "
            + "default: every instance.")
    String instance;

    @Option(names = "--by", paramLabel = "WHO", description = "Who issues the command (default: your user name).")
    String by = System.getProperty("user.name", "");

    @Option(names = "--timeout", defaultValue = "10s", converter = Durations.class, paramLabel = "DURATION",
            description = "How long to wait for the cluster to take the command: 1s to 10m (default: ${DEFAULT-VALUE}). "
                    + "When given, the first check waits as long for the cluster to answer; otherwise it waits 8s.")
    Duration timeout;

    @Option(names = "--status-topic", defaultValue = "breakwater-status", paramLabel = "TOPIC",
            description = "The status topic, read to warn about a breaker or instance never seen there (default: "
                    + "${DEFAULT-VALUE}).")
    String statusTopic;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Client properties for a secured cluster (security.protocol, sasl.*, ssl.*), as Kafka's tools take them.")
    java.nio.file.Path commandConfig;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** What this command does. */
    abstract ControlCommand.Action action();

    /** How long the command holds ({@code --for}); null until replaced. */
    Duration lasting() {
        return null;
    }

    @Override
    public Integer call() throws Exception {
        ControlCommand command = command(Instant.now());
        Map<String, Object> client = CommandConfig.client(spec.commandLine(), commandConfig, bootstrap);
        PrintWriter err = spec.commandLine().getErr();
        try {
            Reachability.check(client, StatusCommand.firstCheck(spec.commandLine(), timeout));
            ControlTopic.send(client, topic, command, timeout);
        } catch (Reachability.UnreachableException | KafkaException e) {
            err.println(e.getMessage());
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Sent " + command.id() + " to " + topic + ": " + action().label() + " '" + breaker + "' on "
                + (instance == null ? "every instance" : "instance " + instance) + ", by " + command.by()
                + (command.expiresAt() == null ? ", until replaced" : ", until " + command.expiresAt()) + ".");
        out.println("Instances with breakwater.control.enabled=true apply it at once; `breakwater status` shows it as "
                + "the reason.");
        out.flush();
        unseen(client).ifPresent(warning -> err.println("Warning: " + warning));
        err.flush();
        return 0;
    }

    /** What the status topic has never seen of the command's breaker and instance; empty if it could not be read. */
    private Optional<String> unseen(Map<String, Object> client) throws InterruptedException {
        try (Admin admin = Admin.create(client)) {
            if (!admin.listTopics().names().get(3, TimeUnit.SECONDS).contains(statusTopic)) {
                return Optional.empty(); // no status topic to compare with: nothing to say
            }
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return Optional.empty();
        }
        try (StatusReader reader = StatusReader.start(client, statusTopic)) {
            return reader.awaitCaughtUp(Duration.ofSeconds(3)) ? unseen(reader.fleet().keySet(), breaker, instance, statusTopic)
                    : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // only a warning: the command is written
        }
    }

    /** The warning for a command on {@code breaker} (of {@code instance}, or all) when {@code keys} do not show it. */
    static Optional<String> unseen(Set<String> keys, String breaker, String instance, String statusTopic) {
        boolean instanceSeen = instance == null || keys.stream().anyMatch(k -> k.startsWith(instance + "/"));
        boolean breakerSeen = keys.stream().anyMatch(k -> k.endsWith("/" + breaker)
                && (instance == null || k.equals(instance + "/" + breaker)));
        if (!instanceSeen) {
            return Optional.of("instance '" + instance + "' has never reported on " + statusTopic + " (a typo?); the "
                    + "command stands and applies if it comes");
        }
        if (!breakerSeen) {
            return Optional.of("no instance" + (instance == null ? "" : " '" + instance + "'") + " has reported breaker '"
                    + breaker + "' on " + statusTopic + " (a typo?); the command stands and applies if it comes");
        }
        return Optional.empty();
    }

    /** The command the options describe, issued at {@code now}; bad options fail with the usage. */
    ControlCommand command(Instant now) {
        CommandLine cmd = spec.commandLine();
        Duration lasting = lasting();
        if (lasting != null && (lasting.isNegative() || lasting.isZero() || lasting.compareTo(MAX_FOR) > 0)) {
            throw new CommandLine.ParameterException(cmd, "--for must be a duration in (0, 30d], such as 15m, but was "
                    + Durations.format(lasting));
        }
        StatusCommand.checkTimeout(cmd, timeout);
        CommandConfig.checkBootstrap(cmd, bootstrap);
        if (by == null || by.isBlank()) {
            throw new CommandLine.ParameterException(cmd, cmd.getParseResult() != null && cmd.getParseResult().hasMatchedOption("--by")
                    ? "--by must not be blank: give who issues the command"
                    : "--by must name who issues the command (no user name was found)");
        }
        try {
            StatusCommand.checkTopic(cmd, "--topic", topic);
            StatusCommand.checkTopic(cmd, "--status-topic", statusTopic);
            return ControlCommand.issue(action(), breaker, instance, by, lasting, now);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage().replaceFirst("^breaker ", "NAME ").replaceFirst("^instance ", "--instance ")
                    .replaceFirst("^by ", "--by ");
            throw new CommandLine.ParameterException(cmd, message);
        }
    }
}
