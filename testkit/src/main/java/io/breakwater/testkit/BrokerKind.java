package io.breakwater.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;

/** Where a test's broker comes from. */
public enum BrokerKind {
    /** The cluster named by {@value #BOOTSTRAP_ENV}. */
    EXTERNAL,
    /** Redpanda in a container, where a Docker engine runs. */
    REDPANDA,
    /** Apache Kafka in this JVM ({@link EmbeddedKafkaCluster}). */
    EMBEDDED;

    /** The environment variable that points tests at an existing cluster. */
    public static final String BOOTSTRAP_ENV = "BREAKWATER_BOOTSTRAP_SERVERS";

    /** {@value #BOOTSTRAP_ENV} set: EXTERNAL; else a Docker engine: REDPANDA; else EMBEDDED. */
    public static BrokerKind detect() {
        String external = System.getenv(BOOTSTRAP_ENV);
        if (external != null && !external.isBlank()) {
            return EXTERNAL;
        }
        return dockerAvailable() ? REDPANDA : EMBEDDED;
    }

    /** Whether a Docker engine answers. Cheap when there is no socket and no DOCKER_HOST. */
    public static boolean dockerAvailable() {
        if (System.getenv("DOCKER_HOST") == null && !Files.exists(Path.of("/var/run/docker.sock"))) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
