package io.breakwater.cli;

import io.breakwater.breaker.Subscription;
import io.breakwater.cli.internal.Ansi;
import io.breakwater.cli.internal.FleetTable;
import io.breakwater.cli.internal.FleetWatch;
import io.breakwater.cli.internal.FollowBacklog;
import io.breakwater.cli.internal.Reachability;
import io.breakwater.status.FleetEntry;
import io.breakwater.status.StatusEvent;
import io.breakwater.status.StatusEventCodec;
import io.breakwater.status.StatusReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Reads the status topic and shows the fleet: every breaker of every instance, and whether the instance is there. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Show every breaker of every instance, from the status topic: state, since, last seen, reason. "
                + "An instance whose heartbeat is older than 3 of its intervals is STALE; stopped ones are hidden "
                + "unless --all is given.")
final class StatusCommand implements Callable<Integer> {

    /** How long the first check waits for the cluster when no {@code --timeout} was given. */
    private static final Duration FIRST_CHECK = Duration.ofSeconds(8);
    /** The longest {@code --timeout}, of this command and of the switch. */
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
    /** How many events {@code --follow} holds while its output is slower than the topic (then it counts what it drops). */
    static final int FOLLOW_BACKLOG = 10_000;

    @Option(names = "--bootstrap-server", required = true, paramLabel = "HOST:PORT", description = "Kafka or Redpanda to read from.")
    String bootstrap;

    @Option(names = "--topic", defaultValue = "breakwater-status", paramLabel = "TOPIC",
            description = "The status topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--follow", description = "Keep printing events as they arrive, until interrupted.")
    boolean follow;

    @Option(names = "--json", description = "Print JSON (an array; with --follow, one event per line).")
    boolean json;

    @Option(names = "--all", description = "Also show stopped instances and detached breakers.")
    boolean all;

    @Option(names = "--watch", description = "Redraw the table in place every --interval, until interrupted.")
    boolean watch;

    @Option(names = "--interval", defaultValue = "1s", converter = Durations.class, paramLabel = "DURATION",
            description = "How often --watch redraws: 100ms to 1h (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--no-color", description = "With --watch: no colors and no redraws; print each table after the last.")
    boolean noColor;

    @Option(names = "--timeout", defaultValue = "10s", converter = Durations.class, paramLabel = "DURATION",
            description = "How long to wait for the status topic: 1s to 10m (default: ${DEFAULT-VALUE}). When given, the "
                    + "first check waits as long for the cluster to answer; otherwise it waits 8s.")
    Duration timeout;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Client properties for a secured cluster (security.protocol, sasl.*, ssl.*), as Kafka's tools take them.")
    java.nio.file.Path commandConfig;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        checkTimeout(spec.commandLine(), timeout);
        if (watch && (follow || json)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--watch shows the table: it cannot be combined "
                    + "with --follow or --json");
        }
        if (interval.toMillis() < 100 || interval.compareTo(Duration.ofHours(1)) > 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--interval must be in [100ms, 1h], but was "
                    + Durations.format(interval));
        }
        CommandConfig.checkBootstrap(spec.commandLine(), bootstrap);
        checkTopic(spec.commandLine(), "--topic", topic);
        Map<String, Object> client = CommandConfig.client(spec.commandLine(), commandConfig, bootstrap);
        try {
            Reachability.check(client, firstCheck(spec.commandLine(), timeout));
        } catch (Reachability.UnreachableException e) {
            err.println(e.getMessage());
            return 1;
        }
        try (Admin admin = Admin.create(client)) {
            Set<String> topics = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!topics.contains(topic)) {
                // Kafka lists only the topics the principal may Describe: a topic without that right looks absent.
                err.println("Topic '" + topic + "' does not exist on " + bootstrap + ", or this principal may not "
                        + "Describe it: no Breakwater instance has published its status there yet, or the ACLs hide it.");
                return 1;
            }
        }
        try (StatusReader reader = StatusReader.start(client, topic)) {
            boolean complete = reader.awaitCaughtUp(timeout);
            if (!complete) {
                StatusReader.State state = reader.state();
                String why = reader.lastError().map(e -> ": " + e).orElse("");
                // Caught up since the wait ended (LIVE is said just before the latch opens): the read is whole after all.
                complete = state == StatusReader.State.LIVE || reader.awaitCaughtUp(Duration.ZERO);
                if (!complete) {
                    err.println("Could not read all of '" + topic + "' within " + Durations.format(timeout) + " (reader "
                            + state + why + "); showing what was read.");
                }
            }
            if (watch) {
                boolean tty = Ansi.terminal();
                FleetWatch view = new FleetWatch(reader, out, new FleetWatch.Options(topic + " on " + bootstrap, all,
                        tty && !noColor, tty && !noColor, interval));
                Runtime.getRuntime().addShutdownHook(new Thread(view::stop));
                view.run();
                return 0;
            }
            // Listening before the table is taken: an event read in between shows in both, never in neither.
            FollowBacklog<StatusEvent> events = new FollowBacklog<>(FOLLOW_BACKLOG);
            Subscription listening = follow ? reader.onEvent(events) : () -> { };
            print(out, reader.fleetEntries(true));
            if (reader.malformedRecords() > 0) {
                err.println(reader.malformedRecords() + " record(s) of '" + topic + "' were not status events and were skipped.");
            }
            if (follow) {
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                while (stop.getCount() > 0) {
                    StatusEvent event = events.poll(Duration.ofMillis(200));
                    if (event != null) {
                        out.println(json ? new String(StatusEventCodec.encode(event), StandardCharsets.UTF_8) : line(event));
                        out.flush();
                        if (FleetWatch.outputClosed(out)) {
                            break;   // the output closed (a pipe whose reader ended, as | head does): nothing to print to
                        }
                    }
                    long lost = events.takeDropped();
                    if (lost > 0) {
                        err.println(lost + " event(s) not printed: the output fell " + events.capacity() + " events behind.");
                        err.flush();
                    }
                }
                listening.close();
            }
            // Whatever was shown, an incomplete read is not an answer a script may take as all clear.
            return complete || follow ? 0 : 1;
        }
    }

    /**
     * How long the first check waits for the cluster: {@code --timeout} when it was given, else at most 8 s, so that a
     * wrong address is named soon.
     */
    static Duration firstCheck(CommandLine cmd, Duration timeout) {
        CommandLine.ParseResult parsed = cmd.getParseResult();
        if (parsed != null && parsed.hasMatchedOption("--timeout")) {
            return timeout;
        }
        return timeout.compareTo(FIRST_CHECK) < 0 ? timeout : FIRST_CHECK;
    }

    /** Fails with the usage unless {@code timeout} is in [1s, 10m]. */
    static void checkTimeout(CommandLine cmd, Duration timeout) {
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new CommandLine.ParameterException(cmd, "--timeout must be at least 1s, but was " + Durations.format(timeout));
        }
        if (timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new CommandLine.ParameterException(cmd, "--timeout must be at most 10m, but was " + Durations.format(timeout));
        }
    }

    /** Fails with the usage unless {@code topic}, the value of {@code option}, is a Kafka topic name. */
    static void checkTopic(CommandLine cmd, String option, String topic) {
        if (topic.isEmpty() || topic.length() > 249 || topic.equals(".") || topic.equals("..")
                || !topic.matches("[a-zA-Z0-9._-]+")) {
            throw new CommandLine.ParameterException(cmd, option + " must be a Kafka topic name "
                    + "(1 to 249 of [a-zA-Z0-9._-], not '.' or '..'), but was '" + topic + "'");
        }
    }

    private void print(PrintWriter out, List<FleetEntry> fleet) {
        if (json) {
            out.println(FleetTable.json(FleetTable.shown(fleet, all)));
        } else {
            FleetTable.lines(fleet, all, Instant.now(), false).forEach(out::println);
        }
        out.flush();
    }

    private static String line(StatusEvent e) {
        return String.format("%-24s %-24s %-12s %-24s %s", FleetTable.printable(e.instance()),
                FleetTable.printable(e.breaker()), e.to(), e.at(), FleetTable.printable(e.reason()));
    }
}
