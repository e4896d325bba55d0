package io.breakwater.bench;

import io.breakwater.testkit.ForkedKafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The broker of the end-to-end parts: one KRaft node in a JVM of its own (C2 on, 1 GiB heap), reached directly (not
 * through the testkit's proxy, which would copy every byte in the benchmark's JVM). Optionally the broker and this
 * JVM are pinned to CPUs of their own with {@code taskset}.
 */
final class BenchBroker implements AutoCloseable {

    /** Old records go soon: ten rounds of seven variants would otherwise keep gigabytes on disk. */
    static final Map<String, String> TOPIC_CONFIG = Map.of("segment.bytes", Integer.toString(16 << 20),
            "retention.bytes", Integer.toString(64 << 20));

    private final ForkedKafkaBroker broker;
    private final String pinning;

    private BenchBroker(ForkedKafkaBroker broker, String pinning) {
        this.broker = broker;
        this.pinning = pinning;
    }

    static BenchBroker start(BenchConfig config) throws IOException, InterruptedException {
        ForkedKafkaBroker.Builder builder = ForkedKafkaBroker.builder().heapMegabytes(1024).jvmOption("-XX:TieredStopAtLevel=4")
                .brokerProperty("log.retention.check.interval.ms", "10000");
        // The broker's log in memory (tmpfs) where there is one: rounds then do not wait on the disk's write-back, which
        // the broker's page cache would otherwise hand them at random. The spill's own files stay on disk.
        Path shm = Path.of("/dev/shm");
        String data = System.getProperty("bench.broker.data", roomy(shm) ? shm.toString() : "");
        if (!data.isBlank()) {
            builder.dataParent(Path.of(data));
        }
        ForkedKafkaBroker broker = builder.start();
        List<String> pinned = new ArrayList<>();
        pinned.add("the broker's log in " + (data.isBlank() ? "the temporary directory" : data));
        try {
            if (config.brokerCpus() != null) {
                pin(broker.pid(), config.brokerCpus());
                pinned.add("broker on CPU " + config.brokerCpus());
            }
            if (config.clientCpus() != null) {
                pin(ProcessHandle.current().pid(), config.clientCpus());
                pinned.add("clients on CPU " + config.clientCpus());
            }
        } catch (IOException | RuntimeException e) {
            broker.close();
            throw e;
        }
        if (pinned.size() == 1) {
            pinned.add("not pinned to CPUs");
        } else {
            pinned.set(pinned.size() - 1, pinned.get(pinned.size() - 1) + " (taskset)");
        }
        return new BenchBroker(broker, String.join(", ", pinned));
    }

    /** A writable directory with room for the end-to-end rounds' log (retention keeps it under about 1.5 GiB). */
    private static boolean roomy(Path dir) {
        try {
            return Files.isDirectory(dir) && Files.isWritable(dir) && Files.getFileStore(dir).getUsableSpace() >= 4L << 30;
        } catch (IOException e) {
            return false;
        }
    }

    /** Every thread of process {@code pid}, and those it starts later, on {@code cpus}. */
    private static void pin(long pid, String cpus) throws IOException, InterruptedException {
        Process taskset = new ProcessBuilder("taskset", "-a", "-pc", cpus, Long.toString(pid)).redirectErrorStream(true).start();
        String output = new String(taskset.getInputStream().readAllBytes());
        if (!taskset.waitFor(30, TimeUnit.SECONDS) || taskset.exitValue() != 0) {
            throw new IllegalStateException("taskset -a -pc " + cpus + " " + pid + " failed: " + output.trim());
        }
    }

    /** The broker's direct address, for {@code bootstrap.servers}. */
    String bootstrapServers() {
        return broker.directBootstrapServers();
    }

    /** How the broker and the clients share the CPUs. */
    String pinning() {
        return pinning;
    }

    /** The broker JVM's CPU time so far, in nanoseconds (as its process reports it: in clock ticks, 10 ms on Linux). */
    long cpuNanos() {
        return ProcessHandle.of(broker.pid()).flatMap(p -> p.info().totalCpuDuration())
                .orElseThrow(() -> new IllegalStateException("the broker's CPU time cannot be read (pid " + broker.pid() + ")"))
                .toNanos();
    }

    /** The testkit's broker, for faults through its proxy. */
    ForkedKafkaBroker forked() {
        return broker;
    }

    /** Creates {@code topics} (3 partitions each, old records dropped soon) and waits for them. */
    void createTopics(List<String> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            List<NewTopic> fresh = topics.stream().map(t -> new NewTopic(t, 3, (short) 1).configs(TOPIC_CONFIG)).toList();
            admin.createTopics(fresh).all().get(60, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        broker.close();
    }
}
