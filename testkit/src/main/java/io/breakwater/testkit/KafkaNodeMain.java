package io.breakwater.testkit;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * The entry point of a forked broker: {@code KafkaNodeMain <broker.properties> <cluster-id> <node-id> [<scram-file>]}.
 * Formats the storage if needed (with the SCRAM credentials of {@code scram-file}, one formatter argument a line), starts one combined KRaft node, prints {@value #READY} and runs until
 * it is stopped or killed. A node that fails to start prints why and ends the JVM with exit code
 * {@value #START_FAILED}, even while some of its threads (its controller, say) still run.
 */
public final class KafkaNodeMain {

    /** The line printed once the node has started. */
    public static final String READY = "BREAKWATER-BROKER-READY";

    /** The exit code of a node that failed to start. */
    public static final int START_FAILED = 3;

    private KafkaNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: KafkaNodeMain <broker.properties> <cluster-id> <node-id> [<scram-file>]");
            System.exit(2);
        }
        BrokerLogging.apply();
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            properties.load(in);
        }
        Path dataDir = Path.of(properties.getProperty("log.dirs"));
        KafkaNode node = KafkaNode.existing(Integer.parseInt(args[2]), dataDir);
        List<String> scram = args.length == 4 ? Files.readAllLines(Path.of(args[3])) : List.of();
        node.format(args[1], scram);
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "broker-shutdown"));
        try {
            server.startup();
        } catch (Throwable t) {
            System.out.println("the broker failed to start:");
            t.printStackTrace(System.out);
            System.out.flush();
            Runtime.getRuntime().halt(START_FAILED);
        }
        System.out.println(READY);
        System.out.flush();
        server.awaitShutdown();
    }

    static List<String> args(Path properties, String clusterId, int nodeId, Path scramFile) {
        return scramFile == null ? List.of(properties.toString(), clusterId, Integer.toString(nodeId))
                : List.of(properties.toString(), clusterId, Integer.toString(nodeId), scramFile.toString());
    }
}
