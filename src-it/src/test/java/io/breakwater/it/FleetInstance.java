package io.breakwater.it;

import io.breakwater.testkit.JavaProcess;
import io.breakwater.testkit.TestBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** A {@link FleetInstanceMain} in a JVM of its own, with what it printed. */
final class FleetInstance implements AutoCloseable {

    /** The topics of one fleet: status, control, data. */
    record Topics(String status, String control, String data) {
        static Topics fresh(TestBroker broker, String prefix) {
            String suffix = java.util.UUID.randomUUID().toString().substring(0, 8);
            Topics topics = new Topics(prefix + "-status-" + suffix, prefix + "-control-" + suffix, prefix + "-data-" + suffix);
            broker.createTopic(topics.data(), 1, 1, java.util.Map.of());
            return topics;
        }
    }

    final String id;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Writer stdin;

    private FleetInstance(String id, Process process) {
        this.id = id;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(output lost: " + e + ")");
            }
        }, "fleet-instance-" + id);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts instance {@code id} of the fleet on {@code topics}, with a heartbeat every {@code heartbeat}. */
    static FleetInstance start(TestBroker broker, Topics topics, String id, Duration heartbeat) throws IOException {
        Process process = JavaProcess.builder(FleetInstanceMain.class, List.of("-Xmx160m", "-XX:TieredStopAtLevel=1"),
                List.of(broker.bootstrapServers(), topics.status(), topics.control(), id, topics.data(),
                        Long.toString(heartbeat.toMillis()))).redirectErrorStream(true).start();
        return new FleetInstance(id, process);
    }

    /** The state its breaker was in once its producer was made; waits for it. */
    String readyState() {
        Awaitility.await("instance " + id + " ready; printed " + lines).atMost(Duration.ofSeconds(60))
                .until(() -> lines.stream().anyMatch(l -> l.startsWith("ready ")));
        return lines.stream().filter(l -> l.startsWith("ready ")).findFirst().orElseThrow().substring(6);
    }

    List<String> lines() {
        return lines;
    }

    /** Stops it cleanly (its producer closes) and waits for its exit. */
    void stop() throws IOException, InterruptedException {
        stdin.write("stop\n");
        stdin.flush();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("instance " + id + " did not stop within 30 s; printed " + lines);
        }
    }

    /** SIGKILL: gone without a word. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
