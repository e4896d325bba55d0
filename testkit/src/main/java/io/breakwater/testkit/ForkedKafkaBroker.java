package io.breakwater.testkit;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;

/**
 * One KRaft node in its own JVM, built from this classpath (or the one {@value JavaProcess#BROKER_CLASS_PATH_PROPERTY}
 * names), behind a {@link FaultProxy}: for faults a JVM cannot inflict on itself. {@link #freeze()} sends SIGSTOP (a frozen broker: connections stay open,
 * nothing answers), {@link #resume()} SIGCONT, {@link #kill()} SIGKILL, {@link #stop(Duration)} SIGTERM
 * (Kafka's controlled shutdown); {@link #restart()} starts it again on the same ports and data. The
 * broker's output goes to {@code broker.log} in its directory, or to a file that stays in the directory
 * {@value BrokerLogging#DIRECTORY_PROPERTY} names.
 * Its ports are held whenever no broker process has them: from the moment they are picked until the JVM
 * starts, and from a kill or stop to the restart. A first start that still loses one to another process
 * is tried again on fresh ports, up to {@value PortRetry#ATTEMPTS} times. A {@link ForkedKafkaCluster} of
 * one node; thread-safe.
 */
public final class ForkedKafkaBroker implements AutoCloseable {

    private final ForkedKafkaCluster cluster;

    private ForkedKafkaBroker(ForkedKafkaCluster cluster) {
        this.cluster = cluster;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a forked broker with the defaults. */
    public static ForkedKafkaBroker start() {
        return builder().start();
    }

    /** {@code host:port} of the proxy in front of the broker. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * {@code host:port} of the broker's INTERNAL listener: a client bootstrapped here reaches the broker directly, not
     * through the proxy (no proxy fault reaches it, and it pays nothing for the proxy's copying).
     */
    public String directBootstrapServers() {
        return cluster.directBootstrapServers();
    }

    /**
     * Client properties with {@code bootstrap.servers} set, and on a secured broker those that log in as its admin;
     * a fresh mutable map each time.
     */
    public Map<String, Object> clientConfig() {
        return cluster.clientConfig();
    }

    /**
     * On a secured broker: client properties that log in as {@code user}.
     *
     * @throws IllegalStateException    when the broker is not secured
     * @throws IllegalArgumentException when {@code user} is not one of its users
     */
    public Map<String, Object> clientConfig(String user) {
        return cluster.clientConfig(user);
    }

    /** The security of a secured broker, if it is one. */
    public Optional<KafkaSecurity> security() {
        return cluster.security();
    }

    /** An admin client (on a secured broker, logged in as its admin), made once and closed with the broker. */
    public Admin admin() {
        return cluster.admin();
    }

    /** On a secured broker: creates ACLs and returns once they are in force (see {@link ForkedKafkaCluster#createAcls}). */
    public void createAcls(Collection<AclBinding> acls) {
        cluster.createAcls(acls);
    }

    /** The proxy in front of the broker, for network faults. */
    public FaultProxy proxy() {
        return cluster.proxy(0);
    }

    /** The broker's process id. */
    public long pid() {
        return cluster.pid(0);
    }

    public boolean isAlive() {
        return cluster.isAlive(0);
    }

    /** SIGSTOP: the broker stops dead, its sockets stay open. */
    public void freeze() {
        cluster.freeze(0);
    }

    /** SIGCONT: a frozen broker carries on. */
    public void resume() {
        cluster.resume(0);
    }

    /** SIGKILL, and waits for the process to end; its ports are held until {@link #restart()}. */
    public void kill() {
        cluster.kill(0);
    }

    /**
     * A clean stop: SIGTERM, so the broker runs Kafka's controlled shutdown (a frozen one is resumed to do
     * so), and waits up to {@code timeout} for the process to end. A broker that does not end within the
     * timeout is killed, and this throws. Its ports are held until {@link #restart()}.
     *
     * @throws IllegalStateException when the broker had to be killed
     */
    public void stop(Duration timeout) {
        cluster.stop(0, timeout);
    }

    /** Starts the broker again (after {@link #kill()} or {@link #stop(Duration)}), on the same ports and data. */
    public void restart() {
        cluster.restart(0);
    }

    /** The broker's output so far. */
    public String log() {
        return cluster.log(0);
    }

    /** Kills the broker, closes the proxy, frees the ports, deletes the data. Idempotent. */
    @Override
    public void close() {
        cluster.close();
    }

    @Override
    public String toString() {
        return "ForkedKafkaBroker[" + bootstrapServers() + (isAlive() ? ", pid " + pid() : ", not running") + "]";
    }

    /** Options of a {@link ForkedKafkaBroker}. */
    public static final class Builder {
        private final ForkedKafkaCluster.Builder cluster = ForkedKafkaCluster.builder().nodes(1);

        private Builder() {
        }

        public Builder brokerProperty(String key, String value) {
            cluster.brokerProperty(key, value);
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            cluster.startTimeout(Objects.requireNonNull(timeout, "timeout"));
            return this;
        }

        /** Secures the client listener (see {@link KafkaSecurity}). */
        public Builder secured(KafkaSecurity security) {
            cluster.secured(security);
            return this;
        }

        /** Where the broker's data go (a directory of its own in it, deleted on close); by default the system's temporary directory. */
        public Builder dataParent(java.nio.file.Path parent) {
            cluster.dataParent(parent);
            return this;
        }

        /** The broker JVM's maximum heap (default 512 MiB). */
        public Builder heapMegabytes(int megabytes) {
            cluster.heapMegabytes(megabytes);
            return this;
        }

        /** An option for the broker's JVM, after the testkit's own, so that it wins over them. */
        public Builder jvmOption(String option) {
            cluster.jvmOption(option);
            return this;
        }

        /** Where the broker's ports come from (tests take ports away with it). */
        Builder portSource(PortSource source) {
            cluster.portSource(source);
            return this;
        }

        /** Starts the broker and returns once it is ready. */
        public ForkedKafkaBroker start() {
            return new ForkedKafkaBroker(cluster.start());
        }
    }
}
