package io.breakwater.testkit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** The broker a test got from {@link BrokerExtension}: embedded, Redpanda or external. */
public interface TestBroker extends AutoCloseable {

    BrokerKind kind();

    /**
     * An embedded cluster as a {@code TestBroker}; on a secured one, {@link #clientConfig()} and {@link #admin()} log
     * in as its admin. Closing it closes the cluster.
     */
    static TestBroker of(EmbeddedKafkaCluster cluster) {
        return new EmbeddedBroker(java.util.Objects.requireNonNull(cluster, "cluster"));
    }

    /** What clients use as {@code bootstrap.servers}. */
    String bootstrapServers();

    /** An admin client, made once and closed with the broker. */
    Admin admin();

    /** Client properties with {@code bootstrap.servers} set; a fresh mutable map each time. */
    default Map<String, Object> clientConfig() {
        Map<String, Object> config = new java.util.HashMap<>();
        config.put("bootstrap.servers", bootstrapServers());
        return config;
    }

    /** The embedded cluster, for fault injection; only when {@link #kind()} is EMBEDDED. */
    default EmbeddedKafkaCluster cluster() {
        throw new IllegalStateException("this test runs on a " + kind() + " broker, which has no fault injection; "
                + "annotate the test @RealBroker(faults = true) so that it runs only on the embedded Kafka");
    }

    /** Creates a topic and waits for it; an existing topic is left as it is. */
    default void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        createTopic(admin(), name, partitions, replicationFactor, configs);
    }

    /**
     * Creates a topic through {@code admin} and waits for it, and for a leader of each of its partitions (a producer
     * that sends before the leader is in place gets NOT_LEADER_OR_FOLLOWER, and its retried first batch can then
     * be refused as out of sequence behind later ones); an existing topic is left as it is.
     */
    static void createTopic(Admin admin, String name, int partitions, int replicationFactor, Map<String, String> configs) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
            try {
                admin.createTopics(List.of(new NewTopic(name, partitions, (short) replicationFactor).configs(configs)))
                        .all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("could not create topic " + name + ": " + e.getCause(), e.getCause());
                }
            }
            while (!everyPartitionLed(admin, name)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("topic " + name + " has a partition without a leader 30 s after it was created");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not describe topic " + name + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("topic " + name + " not created within 30 s", e);
        }
    }

    private static boolean everyPartitionLed(Admin admin, String name)
            throws ExecutionException, InterruptedException, TimeoutException {
        try {
            return admin.describeTopics(List.of(name)).allTopicNames().get(30, TimeUnit.SECONDS).get(name).partitions()
                    .stream().allMatch(p -> p.leader() != null && p.leader().id() >= 0);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return false; // created, not yet known to the broker asked
            }
            throw e;
        }
    }

    @Override
    void close();
}
