package io.breakwater.cli;

import io.breakwater.cli.internal.Reachability;
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

/** Reads the status topic and shows the fleet: every breaker of every instance. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show every breaker of every instance, from the status topic.")
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-server", required = true, paramLabel = "HOST:PORT", description = "Kafka or Redpanda to read from.")
    String bootstrap;

    @Option(names = "--topic", defaultValue = "breakwater-status", description = "The status topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--follow", description = "Keep printing events as they arrive, until interrupted.")
    boolean follow;

    @Option(names = "--json", description = "Print JSON (an array; with --follow, one event per line).")
    boolean json;

    @Option(names = "--timeout", defaultValue = "10s", converter = Durations.class,
            description = "How long to wait for the cluster and the topic (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--timeout must be at least 1s, but was " + timeout.toMillis() + "ms");
        }
        if (bootstrap.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--bootstrap-server must not be empty: give HOST:PORT");
        }
        if (topic.isEmpty() || topic.length() > 249 || topic.equals(".") || topic.equals("..")
                || !topic.matches("[a-zA-Z0-9._-]+")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--topic must be a Kafka topic name "
                    + "(1 to 249 of [a-zA-Z0-9._-], not '.' or '..'), but was '" + topic + "'");
        }
        try {
            Reachability.check(bootstrap, timeout.compareTo(Duration.ofSeconds(8)) < 0 ? timeout : Duration.ofSeconds(8));
        } catch (Reachability.UnreachableException e) {
            err.println(e.getMessage());
            return 1;
        }
        Map<String, Object> client = Map.of("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(client)) {
            Set<String> topics = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!topics.contains(topic)) {
                err.println("Topic '" + topic + "' does not exist on " + bootstrap
                        + ": no Breakwater instance has published its status there yet.");
                return 1;
            }
        }
        try (StatusReader reader = StatusReader.start(client, topic)) {
            if (!reader.awaitCaughtUp(timeout)) {
                err.println("Could not read all of '" + topic + "' within " + timeout.toSeconds() + " s; showing what was read.");
            }
            print(out, reader.fleetView());
            if (reader.malformedRecords() > 0) {
                err.println(reader.malformedRecords() + " record(s) of '" + topic + "' were not status events and were skipped.");
            }
            if (follow) {
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                reader.onEvent(event -> {
                    out.println(json ? new String(StatusEventCodec.encode(event), StandardCharsets.UTF_8) : line(event));
                    out.flush();
                });
                stop.await();
            }
        }
        return 0;
    }

    private void print(PrintWriter out, List<StatusEvent> fleet) {
        if (json) {
            StringBuilder array = new StringBuilder("[");
            for (int i = 0; i < fleet.size(); i++) {
                array.append(i == 0 ? "" : ",").append(new String(StatusEventCodec.encode(fleet.get(i)), StandardCharsets.UTF_8));
            }
            out.println(array.append(']'));
        } else {
            out.printf("%-28s %-28s %-11s %-20s %s%n", "INSTANCE", "BREAKER", "STATE", "SINCE", "REASON");
            for (StatusEvent e : fleet) {
                out.println(line(e));
            }
            if (fleet.isEmpty()) {
                out.println("(no breakers have published yet)");
            }
        }
        out.flush();
    }

    private static String line(StatusEvent e) {
        return String.format("%-28s %-28s %-11s %-20s %s", e.instance(), e.breaker(), e.to(), ago(e.at()), e.reason());
    }

    private static String ago(Instant at) {
        long seconds = Math.max(0, Duration.between(at, Instant.now()).toSeconds());
        String when = at.toString().replace('T', ' ').replaceAll("\\.\\d+Z$", "Z");
        return seconds < 3600 ? seconds + " s ago" : when;
    }
}
