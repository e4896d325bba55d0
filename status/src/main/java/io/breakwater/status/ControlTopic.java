package io.breakwater.status;

import io.breakwater.breaker.Throwables;
import io.breakwater.status.internal.StatusTopic;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes operators' commands to the control topic, which instances with {@code breakwater.control.enabled=true}
 * follow ({@link ControlFollower}). Only operators should be allowed to write it: see the ACLs in the README
 * ("Operating a fleet"). Stateless and thread-safe.
 */
public final class ControlTopic {

    /** The control topic unless configured otherwise. */
    public static final String DEFAULT_TOPIC = "breakwater-control";

    private ControlTopic() {
    }

    /**
     * Writes {@code command} to {@code topic}, keyed {@link ControlCommand#key()}, creating the topic (compacted, one
     * partition) if it is missing and the client may; waits for the cluster's acknowledgement at most
     * {@code timeout}.
     *
     * @throws org.apache.kafka.common.config.ConfigException when no usable bootstrap server is configured
     * @throws IllegalArgumentException for a bad topic name or a timeout that is not positive
     * @throws KafkaException when the command was not acknowledged: not allowed to write, or no answer in time; or
     *         when the topic is not known to exist and could not be created (the command is then not written, so
     *         that the broker does not create the topic uncompacted)
     */
    public static RecordMetadata send(Map<String, ?> clientConfig, String topic, ControlCommand command, Duration timeout)
            throws InterruptedException {
        Map<String, Object> client = StatusClients.of(Objects.requireNonNull(clientConfig, "clientConfig"),
                "the Breakwater control writer");
        Checks.requireTopic(topic);
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("timeout must be at least 1 ms, but was " + timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        StatusTopic.Found found = StatusTopic.ensure(client, "breakwater-control-admin", topic,
                timeout.compareTo(Duration.ofSeconds(6)) < 0 ? timeout : Duration.ofSeconds(6), "control topic");
        requireReady(found, client, topic, command, timeout);
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        Map<String, Object> config = new HashMap<>(client);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "breakwater-control-writer");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, left);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(left, Integer.MAX_VALUE));
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(left, Integer.MAX_VALUE));
        KafkaProducer<String, byte[]> producer = null;
        try {
            producer = new KafkaProducer<>(config);
            return producer.send(new ProducerRecord<>(topic, command.key(), ControlCommandCodec.encode(command)))
                    .get(left, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | KafkaException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof AuthorizationException) {
                throw new KafkaException("Not allowed to write command " + command.id() + " to the control topic " + topic
                        + " (" + Throwables.describe(cause) + "): only operators may; see the ACLs in the README, "
                        + "\"Operating a fleet\"", cause);
            }
            throw new KafkaException("Could not write command " + command.id() + " to " + topic + " on "
                    + client.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) + " within " + timeout.toMillis() + " ms: "
                    + Throwables.describe(cause), cause);
        } finally {
            if (producer != null) {
                producer.close(Duration.ZERO); // acknowledged, or given up: nothing left to wait for
            }
        }
    }

    /** Writes only to a topic known to be there: a write to a missing one could make the broker create it uncompacted. */
    private static void requireReady(StatusTopic.Found found, Map<String, Object> client, String topic,
                                     ControlCommand command, Duration timeout) {
        String where = topic + " on " + client.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
        String why = switch (found) {
            case READY_COMPACTED, READY_NOT_COMPACTED, READY_UNKNOWN -> null;
            case MISSING -> "the control topic " + where + " does not exist and this client may not create it (or the "
                    + "cluster refused to: see the log); create it compacted (cleanup.policy=compact, one partition) or "
                    + "allow Create on it";
            case UNKNOWN -> "cannot tell whether the control topic " + where + " exists: this client may neither "
                    + "DescribeConfigs nor Describe it; see the ACLs in the README, \"Operating a fleet\"";
            case NOT_YET -> "";
        };
        if (found == StatusTopic.Found.NOT_YET) {
            throw new KafkaException("Could not write command " + command.id() + " to " + where + " within "
                    + timeout.toMillis() + " ms: no answer from the cluster while checking the topic");
        }
        if (why != null) {
            throw new KafkaException("Command " + command.id() + " not written: " + why);
        }
    }
}
